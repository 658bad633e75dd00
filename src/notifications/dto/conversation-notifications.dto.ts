import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsISO8601, IsOptional } from 'class-validator';
import type {
  ConversationNotificationsRequestWire,
  ConversationNotificationsWire,
} from '../../chat/wire/rest-wire';

export class ConversationNotificationsDto implements ConversationNotificationsRequestWire {
  @ApiProperty() @IsBoolean() muted!: boolean;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'RFC 3339; absent with muted=true: until unmuted',
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'muted_until must be an RFC 3339 date-time' })
  muted_until?: string;
}

export class ConversationNotificationsResponse implements ConversationNotificationsWire {
  @ApiProperty({ format: 'uuid' }) conversation_id!: string;
  @ApiProperty() is_muted!: boolean;
  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'null: until unmuted, or not muted',
  })
  muted_until!: string | null;
}
