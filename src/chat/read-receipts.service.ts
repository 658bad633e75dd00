import { Injectable } from '@nestjs/common';
import { ChatAccess, type ConversationMembership } from './chat-access';
import { lastReadSeqOf } from './conversation-side';
import type { ReadResultResponse } from './dto/read-result.response';
import { ChatException } from './errors/chat.exception';
import { ChatEventBus } from './events/chat-event-bus';
import { MessageRepository } from './message.repository';

/** Past every seq a conversation can reach; the SQL clamps it to the conversation's last seq. */
const EVERYTHING = 2_147_483_647;

export type ReadTarget = { messageId: string } | { seq: number };

@Injectable()
export class ReadReceiptsService {
  constructor(
    private readonly messages: MessageRepository,
    private readonly access: ChatAccess,
    private readonly events: ChatEventBus,
  ) {}

  /** Marks every message of the other party read. */
  async markConversationRead(readerId: string, conversationId: string): Promise<ReadResultResponse> {
    const membership = await this.access.requireMembership(conversationId, readerId);
    return this.markUpTo(membership, readerId, EVERYTHING);
  }

  /** Marks a message and the earlier ones of the other party read; reading your own changes nothing. */
  async markMessageRead(readerId: string, messageId: string): Promise<ReadResultResponse> {
    const message = await this.messages.findById(messageId);
    if (!message) throw ChatException.notFound('Message');
    let membership: ConversationMembership;
    try {
      membership = await this.access.requireMembership(message.conversationId, readerId);
    } catch {
      throw ChatException.notFound('Message');
    }
    if (message.senderUserId === readerId) return this.unchanged(membership);
    return this.markUpTo(membership, readerId, message.seq);
  }

  /** The WebSocket `read` frame: membership was proved at the handshake. */
  async markReadAsMember(
    membership: ConversationMembership,
    readerId: string,
    target: ReadTarget,
  ): Promise<ReadResultResponse> {
    if ('seq' in target) return this.markUpTo(membership, readerId, target.seq);
    const message = await this.messages.findById(target.messageId);
    if (!message || message.conversationId !== membership.conversation.id) {
      throw ChatException.notFound('Message');
    }
    if (message.senderUserId === readerId) return this.unchanged(membership);
    return this.markUpTo(membership, readerId, message.seq);
  }

  private async markUpTo(
    membership: ConversationMembership,
    readerId: string,
    uptoSeq: number,
  ): Promise<ReadResultResponse> {
    const conversationId = membership.conversation.id;
    const readAt = new Date();
    const result = await this.messages.markRead(
      conversationId,
      { userId: readerId, side: membership.side },
      uptoSeq,
      readAt,
    );
    if (result.markedCount > 0 && result.newestMarkedId) {
      this.events.publish({
        type: 'messages.read',
        conversationId,
        readerId,
        messageId: result.newestMarkedId,
        lastReadSeq: result.lastReadSeq,
        readAt: readAt.toISOString(),
      });
    }
    return {
      conversation_id: conversationId,
      messages_marked_read: result.markedCount,
      last_read_seq: result.lastReadSeq,
      read_at: result.markedCount > 0 ? readAt.toISOString() : null,
    };
  }

  private unchanged(membership: ConversationMembership): ReadResultResponse {
    return {
      conversation_id: membership.conversation.id,
      messages_marked_read: 0,
      last_read_seq: lastReadSeqOf(membership.conversation, membership.side),
      read_at: null,
    };
  }
}
