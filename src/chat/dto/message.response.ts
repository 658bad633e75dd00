import { ApiProperty } from '@nestjs/swagger';
import {
  MESSAGE_STATUSES,
  MESSAGE_TYPES,
  type MessageStatus,
  type MessageType,
} from '../entities/message.entity';
import type { MessageWire } from '../wire/rest-wire';

/** A message as REST returns it and as `message` frames carry it in `data`. */
export class MessageResponse implements MessageWire {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) conversation_id!: string;
  @ApiProperty({ format: 'uuid' }) sender_user_id!: string;
  @ApiProperty({ description: 'Gap-free position in the conversation (1, 2, 3, ...)' }) seq!: number;
  @ApiProperty({ type: String, nullable: true, maxLength: 64 }) client_message_id!: string | null;
  @ApiProperty({ enum: MESSAGE_TYPES }) message_type!: MessageType;
  @ApiProperty({ type: String, nullable: true, description: 'null once the message is deleted' })
  content!: string | null;
  @ApiProperty({ type: String, nullable: true }) media_url!: string | null;
  @ApiProperty({ enum: MESSAGE_STATUSES }) status!: MessageStatus;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) read_at!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) delivered_at!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
  @ApiProperty() is_deleted!: boolean;
}
