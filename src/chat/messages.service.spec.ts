import { randomUUID } from 'node:crypto';
import { ChatAccess } from './chat-access';
import type { ConversationRepository } from './conversation.repository';
import type { SendMessageDto } from './dto/send-message.dto';
import { Conversation } from './entities/conversation.entity';
import { Message } from './entities/message.entity';
import { ChatErrorCode } from './errors/chat-error-code';
import type { ChatEvent } from './events/chat-event';
import { InMemoryChatEventBus } from './events/in-memory-chat-event-bus';
import type { MessageRepository, NewMessage } from './message.repository';
import type { MessagePageQuery } from './message-page.statements';
import { type MessageView, toMessageView } from './message.presenter';
import { MessagesService } from './messages.service';

const CLIENT = randomUUID();
const OWNER = randomUUID();
const STRANGER = randomUUID();

function conversation(): Conversation {
  return Object.assign(new Conversation(), {
    id: randomUUID(),
    listingId: randomUUID(),
    clientUserId: CLIENT,
    ownerUserId: OWNER,
    lastSeq: 0,
    clientLastReadSeq: 0,
    ownerLastReadSeq: 0,
    archivedByClient: false,
    archivedByOwner: false,
  });
}

/** The message store, in memory: only what MessagesService relies on. */
class FakeMessageRepository {
  readonly stored: Message[] = [];
  failNextInsertWith: Error | null = null;

  findById(id: string): Promise<Message | null> {
    return Promise.resolve(this.stored.find((message) => message.id === id) ?? null);
  }

  findBySenderAndClientMessageId(senderUserId: string, clientMessageId: string): Promise<Message | null> {
    return Promise.resolve(
      this.stored.find((m) => m.senderUserId === senderUserId && m.clientMessageId === clientMessageId) ??
        null,
    );
  }

  insertNext(input: NewMessage): Promise<Message | null> {
    if (this.failNextInsertWith) {
      const error = this.failNextInsertWith;
      this.failNextInsertWith = null;
      return Promise.reject(error);
    }
    const earlier = this.stored.some(
      (m) => m.senderUserId === input.senderUserId && m.clientMessageId === input.clientMessageId,
    );
    if (input.clientMessageId !== null && earlier) return Promise.resolve(null);
    const now = new Date();
    const message = Object.assign(new Message(), {
      ...input,
      id: randomUUID(),
      seq: this.stored.filter((m) => m.conversationId === input.conversationId).length + 1,
      status: 'sent',
      readAt: null,
      deliveredAt: null,
      createdAt: now,
      updatedAt: now,
      isDeleted: false,
    });
    this.stored.push(message);
    return Promise.resolve(message);
  }

  /** Conversations and their parties, for pageForMember's membership check. */
  readonly parties = new Map<string, readonly string[]>();

  async pageForMember(memberId: string, query: MessagePageQuery): Promise<MessageView[] | null> {
    if (!this.parties.get(query.conversationId)?.includes(memberId)) return null;
    return this.page(query);
  }

  page(query: MessagePageQuery): Promise<MessageView[]> {
    const inRange = this.stored
      .filter((m) => m.conversationId === query.conversationId)
      .filter((m) => query.afterSeq === undefined || m.seq > query.afterSeq)
      .filter((m) => query.beforeSeq === undefined || m.seq < query.beforeSeq)
      .sort((a, b) => (query.order === 'asc' ? a.seq - b.seq : b.seq - a.seq));
    return Promise.resolve(inRange.slice(0, query.limit).map(toMessageView));
  }

  markDelivered(
    conversationId: string,
    recipientId: string,
    ids: readonly string[],
    at: Date,
  ): Promise<string[]> {
    const changed = this.stored.filter(
      (m) =>
        m.conversationId === conversationId &&
        m.senderUserId !== recipientId &&
        m.status === 'sent' &&
        ids.includes(m.id),
    );
    for (const m of changed) Object.assign(m, { status: 'delivered', deliveredAt: at });
    return Promise.resolve(changed.map((m) => m.id));
  }

  softDelete(message: Message): Promise<Message> {
    const stored = this.stored.find((m) => m.id === message.id)!;
    Object.assign(stored, { isDeleted: true, content: '', mediaUrl: null });
    return Promise.resolve(Object.assign(new Message(), stored));
  }
}

class FakeConversationRepository {
  readonly conversations = new Map<string, Conversation>();

  findById(id: string): Promise<Conversation | null> {
    return Promise.resolve(this.conversations.get(id) ?? null);
  }
}

function text(content: string, extra: Partial<SendMessageDto> = {}): SendMessageDto {
  return { content, ...extra };
}

describe(MessagesService.name, () => {
  let sut: MessagesService;
  let messages: FakeMessageRepository;
  let events: ChatEvent[];
  let chat: Conversation;

  beforeEach(() => {
    messages = new FakeMessageRepository();
    const conversations = new FakeConversationRepository();
    chat = conversation();
    conversations.conversations.set(chat.id, chat);
    messages.parties.set(chat.id, [CLIENT, OWNER]);
    const bus = new InMemoryChatEventBus();
    events = [];
    bus.subscribe((event) => events.push(event));
    sut = new MessagesService(
      messages as unknown as MessageRepository,
      new ChatAccess(conversations as unknown as ConversationRepository),
      bus,
    );
  });

  describe('send', () => {
    it('should store a text message and announce it', async () => {
      const result = await sut.send(CLIENT, chat.id, text('hola'));

      expect(result.created).toBe(true);
      expect(result.message).toMatchObject({
        seq: 1,
        content: 'hola',
        message_type: 'text',
        sender_user_id: CLIENT,
      });
      expect(events).toEqual([{ type: 'message.created', conversationId: chat.id, message: result.message }]);
    });

    it('should refuse message_type system and store nothing', async () => {
      await expect(sut.send(CLIENT, chat.id, text('hi', { message_type: 'system' }))).rejects.toMatchObject({
        code: ChatErrorCode.ValidationFailed,
      });

      expect(messages.stored).toHaveLength(0);
      expect(events).toHaveLength(0);
    });

    it('should answer a non-member as if the conversation did not exist', async () => {
      await expect(sut.send(STRANGER, chat.id, text('hi'))).rejects.toMatchObject({
        code: ChatErrorCode.NotFound,
      });
      await expect(sut.send(CLIENT, randomUUID(), text('hi'))).rejects.toMatchObject({
        code: ChatErrorCode.NotFound,
      });

      expect(messages.stored).toHaveLength(0);
    });

    it('should return the original with created=false when a client_message_id is retried', async () => {
      const first = await sut.send(CLIENT, chat.id, text('once', { client_message_id: 'c-1' }));
      events.length = 0;

      const retry = await sut.send(CLIENT, chat.id, text('once again', { client_message_id: 'c-1' }));

      expect(retry).toEqual({ message: first.message, created: false });
      expect(messages.stored).toHaveLength(1);
      expect(events).toHaveLength(0);
    });

    it('should store the same client_message_id from another sender', async () => {
      await sut.send(CLIENT, chat.id, text('mine', { client_message_id: 'c-1' }));

      const theirs = await sut.send(OWNER, chat.id, text('theirs', { client_message_id: 'c-1' }));

      expect(theirs.created).toBe(true);
      expect(messages.stored).toHaveLength(2);
    });

    it('should answer conflict when the client_message_id was used in another conversation', async () => {
      const other = Object.assign(conversation(), { id: randomUUID() });
      messages.stored.push(
        Object.assign(new Message(), {
          id: randomUUID(),
          conversationId: other.id,
          senderUserId: CLIENT,
          clientMessageId: 'c-1',
        }),
      );

      await expect(sut.send(CLIENT, chat.id, text('hi', { client_message_id: 'c-1' }))).rejects.toMatchObject(
        {
          code: ChatErrorCode.Conflict,
        },
      );
      expect(messages.stored).toHaveLength(1);
    });

    it('should return the winner when a concurrent retry stored the client_message_id first', async () => {
      const winner = Object.assign(new Message(), {
        id: randomUUID(),
        conversationId: chat.id,
        senderUserId: CLIENT,
        clientMessageId: 'c-1',
        seq: 1,
        messageType: 'text',
        content: 'won',
        mediaUrl: null,
        status: 'sent',
        readAt: null,
        deliveredAt: null,
        createdAt: new Date(),
        updatedAt: new Date(),
        isDeleted: false,
      });
      const duplicate = Object.assign(new Error('duplicate key'), {
        driverError: { code: '23505', constraint: 'uq_messages_sender_client_message_id' },
      });
      // The rival commits between our lookup and our insert.
      const insertNext = messages.insertNext.bind(messages);
      messages.insertNext = () => {
        messages.stored.push(winner);
        messages.insertNext = insertNext;
        return Promise.reject(duplicate);
      };

      const result = await sut.send(CLIENT, chat.id, text('lost', { client_message_id: 'c-1' }));

      expect(result).toEqual({
        message: expect.objectContaining({ id: winner.id, content: 'won' }),
        created: false,
      });
      expect(events).toHaveLength(0);
    });

    it('should let other insert failures through', async () => {
      messages.failNextInsertWith = new Error('connection lost');

      await expect(sut.send(CLIENT, chat.id, text('hi', { client_message_id: 'c-1' }))).rejects.toThrow(
        'connection lost',
      );
      expect(events).toHaveLength(0);
    });
  });

  describe('list', () => {
    it('should mark the other party’s fetched messages delivered, not the caller’s own', async () => {
      await sut.send(OWNER, chat.id, text('from owner'));
      await sut.send(CLIENT, chat.id, text('from client'));
      events.length = 0;

      const page = await sut.list(CLIENT, chat.id, { limit: 50 });

      expect(page.map((m) => [m.seq, m.status])).toEqual([
        [2, 'sent'],
        [1, 'delivered'],
      ]);
      expect(events).toEqual([
        expect.objectContaining({
          type: 'messages.delivered',
          recipientId: CLIENT,
          messageIds: [page[1].id],
        }),
      ]);
    });

    it('should answer oldest first after a message-id cursor', async () => {
      const sent = [];
      for (const content of ['a', 'b', 'c'])
        sent.push((await sut.send(CLIENT, chat.id, text(content))).message);

      const page = await sut.list(CLIENT, chat.id, { limit: 50, after: sent[0].id });

      expect(page.map((m) => m.seq)).toEqual([2, 3]);
    });

    it('should answer a non-member as if the conversation did not exist, whatever the cursor', async () => {
      const { message } = await sut.send(CLIENT, chat.id, text('private'));

      for (const query of [
        { limit: 50 },
        { limit: 50, before_seq: 5 },
        { limit: 50, before: message.id },
        { limit: 50, after: 'last tuesday' },
      ]) {
        await expect(sut.list(STRANGER, chat.id, query)).rejects.toMatchObject({
          code: ChatErrorCode.NotFound,
        });
      }
      await expect(sut.list(CLIENT, randomUUID(), { limit: 50 })).rejects.toMatchObject({
        code: ChatErrorCode.NotFound,
      });
    });

    it('should refuse an unparsable cursor and a cursor from another conversation', async () => {
      messages.stored.push(
        Object.assign(new Message(), { id: randomUUID(), conversationId: randomUUID(), seq: 1 }),
      );

      await expect(sut.list(CLIENT, chat.id, { limit: 50, before: 'last tuesday' })).rejects.toMatchObject({
        code: ChatErrorCode.ValidationFailed,
      });
      await expect(
        sut.list(CLIENT, chat.id, { limit: 50, after: messages.stored[0].id }),
      ).rejects.toMatchObject({
        code: ChatErrorCode.ValidationFailed,
      });
    });
  });

  describe('delete', () => {
    it('should soft-delete the sender’s message and announce it', async () => {
      const { message } = await sut.send(CLIENT, chat.id, text('oops'));
      events.length = 0;

      const deleted = await sut.delete(CLIENT, message.id);

      expect(deleted).toMatchObject({ id: message.id, is_deleted: true, content: null });
      expect(events).toEqual([
        { type: 'message.deleted', conversationId: chat.id, messageId: message.id, seq: 1 },
      ]);
    });

    it('should forbid the other member to delete it', async () => {
      const { message } = await sut.send(CLIENT, chat.id, text('mine'));

      await expect(sut.delete(OWNER, message.id)).rejects.toMatchObject({ code: ChatErrorCode.Forbidden });
      expect(messages.stored[0].isDeleted).toBe(false);
    });

    it('should answer not found to a non-member and for a mismatched conversation', async () => {
      const { message } = await sut.send(CLIENT, chat.id, text('mine'));

      await expect(sut.delete(STRANGER, message.id)).rejects.toMatchObject({ code: ChatErrorCode.NotFound });
      await expect(sut.delete(CLIENT, message.id, randomUUID())).rejects.toMatchObject({
        code: ChatErrorCode.NotFound,
      });
      expect(messages.stored[0].isDeleted).toBe(false);
    });

    it('should not announce a message that was already deleted', async () => {
      const { message } = await sut.send(CLIENT, chat.id, text('twice'));
      await sut.delete(CLIENT, message.id);
      events.length = 0;

      await expect(sut.delete(CLIENT, message.id)).resolves.toMatchObject({ is_deleted: true });
      expect(events).toHaveLength(0);
    });
  });
});
