import { ApiProperty } from '@nestjs/swagger';
import type { ConversationDetailWire, ConversationListItemWire, ConversationWire } from '../wire/rest-wire';

/** The conversation fields of the spec, plus `last_seq` for catch-up. */
export class ConversationResponse implements ConversationWire {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) listing_id!: string;
  @ApiProperty({ format: 'uuid' }) client_user_id!: string;
  @ApiProperty({ format: 'uuid' }) owner_user_id!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) last_message_at!: string | null;
  @ApiProperty() is_active!: boolean;
  @ApiProperty() archived_by_client!: boolean;
  @ApiProperty() archived_by_owner!: boolean;
  @ApiProperty({ description: 'seq of the newest message (0 when empty)' }) last_seq!: number;
}

export class ConversationDetailResponse extends ConversationResponse implements ConversationDetailWire {
  @ApiProperty({ format: 'uuid' }) other_user_id!: string;
  @ApiProperty({ type: String, nullable: true }) other_user_name!: string | null;
  @ApiProperty({ type: String, nullable: true }) other_user_picture!: string | null;
}

export class ConversationListItemResponse
  extends ConversationDetailResponse
  implements ConversationListItemWire
{
  @ApiProperty() other_user_online!: boolean;
  @ApiProperty({ type: String, nullable: true }) listing_title!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'decimal as a string' })
  listing_price!: string | null;
  @ApiProperty({ type: String, nullable: true }) listing_currency!: string | null;
  @ApiProperty({ type: String, nullable: true }) last_message_content!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) last_message_sender_id!: string | null;
  @ApiProperty() unread_count!: number;
  @ApiProperty({ description: "the caller's side" }) is_archived!: boolean;
  @ApiProperty({ description: "push muted for the caller's side (unread counts unaffected)" })
  is_muted!: boolean;
}
