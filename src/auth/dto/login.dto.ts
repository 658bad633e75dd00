import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength, ValidateIf } from 'class-validator';
import { Trim } from '../../chat/dto/query-transforms';
import { NoNulCharacter } from '../../chat/dto/text-constraints';

/**
 * JSON `{email, password}`, or the OAuth2 password form (`username`, `password`)
 * that Swagger UI's Authorize button posts.
 */
export class LoginDto {
  @ApiPropertyOptional()
  @ValidateIf((dto: LoginDto) => dto.username === undefined)
  @Trim()
  @IsString({ message: 'email (or username) is required' })
  @IsNotEmpty({ message: 'email (or username) is required' })
  @MaxLength(320)
  @NoNulCharacter()
  email?: string;

  @ApiPropertyOptional({ description: 'The email, under its OAuth2 form name' })
  @ValidateIf((dto: LoginDto) => dto.email === undefined)
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(320)
  @NoNulCharacter()
  username?: string;

  @ApiPropertyOptional()
  @IsString({ message: 'password is required' })
  @IsNotEmpty({ message: 'password is required' })
  @MaxLength(256)
  password!: string;
}
