import type { ConversationResponse } from './dto/conversation.response';
import type { Conversation } from './entities/conversation.entity';

export function toConversationResponse(conversation: Conversation): ConversationResponse {
  return {
    id: conversation.id,
    listing_id: conversation.listingId,
    client_user_id: conversation.clientUserId,
    owner_user_id: conversation.ownerUserId,
    created_at: conversation.createdAt.toISOString(),
    updated_at: conversation.updatedAt.toISOString(),
    last_message_at: conversation.lastMessageAt?.toISOString() ?? null,
    is_active: conversation.isActive,
    archived_by_client: conversation.archivedByClient,
    archived_by_owner: conversation.archivedByOwner,
    last_seq: conversation.lastSeq,
  };
}
