import { ApiProperty } from '@nestjs/swagger';
import type { User } from '../user.entity';

export class UserResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() email!: string;
  @ApiProperty({ type: String, nullable: true }) first_name!: string | null;
  @ApiProperty({ type: String, nullable: true }) last_name!: string | null;
  @ApiProperty({ type: String, nullable: true }) profile_picture_url!: string | null;
  @ApiProperty() is_active!: boolean;
  @ApiProperty({ format: 'date-time' }) created_at!: string;

  static of(user: User): UserResponse {
    return {
      id: user.id,
      email: user.email,
      first_name: user.firstName,
      last_name: user.lastName,
      profile_picture_url: user.profilePictureUrl,
      is_active: user.isActive,
      created_at: user.createdAt.toISOString(),
    };
  }
}

export class TokenResponse {
  @ApiProperty() access_token!: string;
  @ApiProperty({ example: 'bearer' }) token_type!: 'bearer';
  @ApiProperty({ description: 'seconds' }) expires_in!: number;
}
