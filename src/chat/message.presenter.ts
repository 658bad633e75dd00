import type { MessageResponse } from './dto/message.response';
import type { Message } from './entities/message.entity';

export type MessageView = MessageResponse;

export function toMessageView(message: Message): MessageView {
  return {
    id: message.id,
    conversation_id: message.conversationId,
    sender_user_id: message.senderUserId,
    seq: message.seq,
    client_message_id: message.clientMessageId,
    message_type: message.messageType,
    content: message.isDeleted ? null : message.content,
    media_url: message.isDeleted ? null : message.mediaUrl,
    status: message.status,
    read_at: message.readAt?.toISOString() ?? null,
    delivered_at: message.deliveredAt?.toISOString() ?? null,
    created_at: message.createdAt.toISOString(),
    updated_at: message.updatedAt.toISOString(),
    is_deleted: message.isDeleted,
  };
}
