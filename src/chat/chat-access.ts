import { Injectable } from '@nestjs/common';
import { ConversationRepository } from './conversation.repository';
import { type ConversationSide, sideOf } from './conversation-side';
import type { Conversation } from './entities/conversation.entity';
import { ChatException } from './errors/chat.exception';

export interface ConversationMembership {
  conversation: Conversation;
  side: ConversationSide;
}

/**
 * The one membership check, used by REST and WebSocket alike. A conversation
 * the caller is not part of is reported exactly like one that does not exist.
 */
@Injectable()
export class ChatAccess {
  constructor(private readonly conversations: ConversationRepository) {}

  async requireMembership(conversationId: string, userId: string): Promise<ConversationMembership> {
    const conversation = await this.conversations.findById(conversationId);
    const side = conversation ? sideOf(conversation, userId) : null;
    if (!conversation || !side) throw ChatException.notFound('Conversation');
    return { conversation, side };
  }
}
