import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';

/** The caller is always the client; any client_user_id/owner_user_id sent along is ignored. */
export class CreateConversationDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'listing_id must be a UUID' })
  listing_id!: string;
}
