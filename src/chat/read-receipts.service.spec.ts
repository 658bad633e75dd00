import { randomUUID } from 'node:crypto';
import { ChatAccess } from './chat-access';
import type { ConversationRepository } from './conversation.repository';
import type { ConversationSide } from './conversation-side';
import { Conversation } from './entities/conversation.entity';
import { Message } from './entities/message.entity';
import { ChatErrorCode } from './errors/chat-error-code';
import type { ChatEvent } from './events/chat-event';
import { InMemoryChatEventBus } from './events/in-memory-chat-event-bus';
import type { MessageRepository, ReadMarkResult } from './message.repository';
import { ReadReceiptsService } from './read-receipts.service';

const CLIENT = randomUUID();
const OWNER = randomUUID();

/** Messages of one conversation plus each side's read position, as the SQL keeps them. */
class FakeMessageRepository {
  readonly messages: Message[] = [];
  readonly readSeq: Record<ConversationSide, number> = { client: 0, owner: 0 };
  readonly calls: number[] = [];

  constructor(private readonly conversation: Conversation) {}

  add(senderUserId: string): Message {
    const message = Object.assign(new Message(), {
      id: randomUUID(),
      conversationId: this.conversation.id,
      senderUserId,
      seq: this.messages.length + 1,
      status: 'sent',
    });
    this.messages.push(message);
    return message;
  }

  findById(id: string): Promise<Message | null> {
    return Promise.resolve(this.messages.find((m) => m.id === id) ?? null);
  }

  markRead(
    _conversationId: string,
    reader: { userId: string; side: ConversationSide },
    uptoSeq: number,
    readAt: Date,
  ): Promise<ReadMarkResult> {
    this.calls.push(uptoSeq);
    const lastSeq = this.messages.length;
    this.readSeq[reader.side] = Math.max(this.readSeq[reader.side], Math.min(uptoSeq, lastSeq));
    const marked = this.messages.filter(
      (m) => m.senderUserId !== reader.userId && m.seq <= uptoSeq && m.status !== 'read',
    );
    for (const m of marked) Object.assign(m, { status: 'read', readAt });
    return Promise.resolve({
      lastReadSeq: this.readSeq[reader.side],
      markedCount: marked.length,
      newestMarkedId: marked.at(-1)?.id ?? null,
    });
  }
}

describe(ReadReceiptsService.name, () => {
  let sut: ReadReceiptsService;
  let messages: FakeMessageRepository;
  let events: ChatEvent[];
  let chat: Conversation;

  beforeEach(() => {
    chat = Object.assign(new Conversation(), {
      id: randomUUID(),
      clientUserId: CLIENT,
      ownerUserId: OWNER,
      clientLastReadSeq: 0,
      ownerLastReadSeq: 0,
    });
    messages = new FakeMessageRepository(chat);
    const conversations = { findById: (id: string) => Promise.resolve(id === chat.id ? chat : null) };
    const bus = new InMemoryChatEventBus();
    events = [];
    bus.subscribe((event) => events.push(event));
    sut = new ReadReceiptsService(
      messages as unknown as MessageRepository,
      new ChatAccess(conversations as unknown as ConversationRepository),
      bus,
    );
  });

  it('should mark a message and the earlier ones of the other party, and announce the newest', async () => {
    messages.add(OWNER);
    const second = messages.add(OWNER);
    messages.add(OWNER);

    const result = await sut.markMessageRead(CLIENT, second.id);

    expect(result).toEqual({
      conversation_id: chat.id,
      messages_marked_read: 2,
      last_read_seq: 2,
      read_at: expect.any(String),
    });
    expect(messages.messages.map((m) => m.status)).toEqual(['read', 'read', 'sent']);
    expect(events).toEqual([
      expect.objectContaining({
        type: 'messages.read',
        readerId: CLIENT,
        messageId: second.id,
        lastReadSeq: 2,
      }),
    ]);
  });

  it('should change nothing when the reader reads their own message', async () => {
    messages.add(OWNER);
    const own = messages.add(CLIENT);

    const result = await sut.markMessageRead(CLIENT, own.id);

    expect(result).toEqual({
      conversation_id: chat.id,
      messages_marked_read: 0,
      last_read_seq: 0,
      read_at: null,
    });
    expect(messages.calls).toEqual([]);
    expect(events).toEqual([]);
  });

  it('should not announce a read that marked nothing', async () => {
    messages.add(CLIENT);

    const result = await sut.markConversationRead(CLIENT, chat.id);

    expect(result).toMatchObject({ messages_marked_read: 0, read_at: null });
    expect(events).toEqual([]);
  });

  it('should answer not found for an unknown message and for a message of others', async () => {
    const message = messages.add(OWNER);

    await expect(sut.markMessageRead(CLIENT, randomUUID())).rejects.toMatchObject({
      code: ChatErrorCode.NotFound,
    });
    await expect(sut.markMessageRead(randomUUID(), message.id)).rejects.toMatchObject({
      code: ChatErrorCode.NotFound,
      message: 'Message not found',
    });
    expect(messages.calls).toEqual([]);
  });
});
