import { Injectable } from '@nestjs/common';
import { ChatAccess, type ConversationMembership } from './chat-access';
import type { ListMessagesQuery } from './dto/list-messages.query';
import type { SendMessageDto } from './dto/send-message.dto';
import { ChatException } from './errors/chat.exception';
import { ChatEventBus } from './events/chat-event-bus';
import { parseMessageCursor } from './message-cursor';
import { toMessageView, type MessageView } from './message.presenter';
import { isDuplicateClientMessageId, MessageRepository } from './message.repository';
import type { MessagePageQuery } from './message-page.statements';
import type { Message } from './entities/message.entity';

export interface SendResult {
  message: MessageView;
  /** false when `client_message_id` matched an earlier send: nothing new was stored. */
  created: boolean;
}

@Injectable()
export class MessagesService {
  constructor(
    private readonly messages: MessageRepository,
    private readonly access: ChatAccess,
    private readonly events: ChatEventBus,
  ) {}

  async send(senderId: string, conversationId: string, input: SendMessageDto): Promise<SendResult> {
    const membership = await this.access.requireMembership(conversationId, senderId);
    return this.sendAsMember(membership, senderId, input);
  }

  /**
   * Stores a message for a sender whose membership is already proved (the
   * WebSocket proves it once at the handshake) and announces it after commit.
   */
  async sendAsMember(
    membership: ConversationMembership,
    senderId: string,
    input: SendMessageDto,
  ): Promise<SendResult> {
    if (input.message_type === 'system') {
      throw ChatException.validation('message_type "system" is reserved for the server');
    }
    const conversationId = membership.conversation.id;
    const clientMessageId = input.client_message_id ?? null;
    let stored: Message | null;
    try {
      // No lookup first: the statement itself skips a client_message_id already stored.
      stored = await this.messages.insertNext({
        conversationId,
        senderUserId: senderId,
        clientMessageId,
        messageType: input.message_type ?? 'text',
        content: input.content,
        mediaUrl: input.media_url ?? null,
      });
    } catch (error) {
      // A concurrent retry of the same client_message_id won the race.
      if (!clientMessageId || !isDuplicateClientMessageId(error)) throw error;
      stored = null;
    }
    if (!stored) {
      const earlier = clientMessageId
        ? await this.findEarlierSend(senderId, clientMessageId, conversationId)
        : null;
      if (!earlier) throw ChatException.notFound('Conversation');
      return { message: toMessageView(earlier), created: false };
    }
    const message = toMessageView(stored);
    this.events.publish({ type: 'message.created', conversationId, message });
    return { message, created: true };
  }

  /**
   * A page of messages. Fetching counts as delivery: the caller's unseen
   * messages from the other party become `delivered`.
   */
  async list(callerId: string, conversationId: string, query: ListMessagesQuery): Promise<MessageView[]> {
    // A `before`/`after` cursor may name a message, looked up before the page: prove
    // membership first so nobody learns about messages of conversations they are not in.
    // Otherwise the page's own statement checks membership (one round trip, not two).
    if (query.before !== undefined || query.after !== undefined) {
      await this.access.requireMembership(conversationId, callerId);
    }
    const page = await this.pageQuery(conversationId, query);
    const messages = await this.messages.pageForMember(callerId, page);
    if (!messages) throw ChatException.notFound('Conversation');
    await this.markFetchedAsDelivered(conversationId, callerId, messages);
    return messages;
  }

  /** Messages with seq > afterSeq, oldest first: the catch-up after a reconnect. */
  async listAfterSeq(conversationId: string, afterSeq: number, limit: number): Promise<MessageView[]> {
    return this.messages.page({ conversationId, afterSeq, order: 'asc', limit });
  }

  async delete(callerId: string, messageId: string, conversationId?: string): Promise<MessageView> {
    const message = await this.messages.findById(messageId);
    if (!message || (conversationId !== undefined && message.conversationId !== conversationId)) {
      throw ChatException.notFound('Message');
    }
    await this.requireMembershipOrMessageNotFound(message.conversationId, callerId);
    if (message.senderUserId !== callerId)
      throw ChatException.forbidden('Only the sender can delete a message');
    if (message.isDeleted) return toMessageView(message);
    const deleted = await this.messages.softDelete(message);
    this.events.publish({
      type: 'message.deleted',
      conversationId: deleted.conversationId,
      messageId: deleted.id,
      seq: deleted.seq,
    });
    return toMessageView(deleted);
  }

  /** Records that `recipientId` received these messages; announces the ones that changed. */
  async markDelivered(
    conversationId: string,
    recipientId: string,
    messageIds: readonly string[],
  ): Promise<void> {
    await this.recordDelivery(conversationId, recipientId, messageIds);
  }

  private async markFetchedAsDelivered(
    conversationId: string,
    callerId: string,
    messages: MessageView[],
  ): Promise<void> {
    const undelivered = messages.filter((m) => m.sender_user_id !== callerId && m.status === 'sent');
    if (undelivered.length === 0) return;
    const { changed, deliveredAt } = await this.recordDelivery(
      conversationId,
      callerId,
      undelivered.map((m) => m.id),
    );
    for (const message of undelivered) {
      if (!changed.has(message.id)) continue;
      message.status = 'delivered';
      message.delivered_at = deliveredAt;
    }
  }

  private async recordDelivery(
    conversationId: string,
    recipientId: string,
    messageIds: readonly string[],
  ): Promise<{ changed: Set<string>; deliveredAt: string }> {
    const at = new Date();
    const changed = await this.messages.markDelivered(conversationId, recipientId, messageIds, at);
    const deliveredAt = at.toISOString();
    if (changed.length > 0) {
      this.events.publish({
        type: 'messages.delivered',
        conversationId,
        recipientId,
        messageIds: changed,
        deliveredAt,
      });
    }
    return { changed: new Set(changed), deliveredAt };
  }

  private async findEarlierSend(
    senderId: string,
    clientMessageId: string,
    conversationId: string,
  ): Promise<Message | null> {
    const earlier = await this.messages.findBySenderAndClientMessageId(senderId, clientMessageId);
    if (earlier && earlier.conversationId !== conversationId) {
      throw ChatException.conflict(
        'client_message_id was already used for a message in another conversation',
      );
    }
    return earlier;
  }

  private async requireMembershipOrMessageNotFound(conversationId: string, userId: string): Promise<void> {
    try {
      await this.access.requireMembership(conversationId, userId);
    } catch {
      throw ChatException.notFound('Message');
    }
  }

  private async pageQuery(conversationId: string, query: ListMessagesQuery): Promise<MessagePageQuery> {
    const page: MessagePageQuery = { conversationId, order: 'desc', limit: query.limit };
    if (query.after_seq !== undefined) page.afterSeq = query.after_seq;
    if (query.before_seq !== undefined) page.beforeSeq = query.before_seq;
    for (const name of ['before', 'after'] as const) {
      const raw = query[name];
      if (raw === undefined) continue;
      const cursor = parseMessageCursor(raw);
      if (!cursor) throw ChatException.validation(`${name} must be a message id or an ISO-8601 timestamp`);
      if (cursor.kind === 'time') {
        page[name === 'before' ? 'beforeTime' : 'afterTime'] = cursor.at;
        continue;
      }
      const anchor = await this.messages.findById(cursor.messageId);
      if (!anchor || anchor.conversationId !== conversationId) {
        throw ChatException.validation(`${name}: no such message in this conversation`);
      }
      const bound = name === 'before' ? 'beforeSeq' : 'afterSeq';
      const current = page[bound];
      page[bound] =
        current === undefined
          ? anchor.seq
          : name === 'before'
            ? Math.min(current, anchor.seq)
            : Math.max(current, anchor.seq);
    }
    const hasLowerBound = page.afterSeq !== undefined || page.afterTime !== undefined;
    if (hasLowerBound) page.order = 'asc';
    return page;
  }
}
