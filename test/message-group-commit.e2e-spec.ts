import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { PreparedStatements } from '../src/database/prepared-statements';
import type { ConversationMembership } from '../src/chat/chat-access';
import { ChatAccess } from '../src/chat/chat-access';
import { ChatErrorCode } from '../src/chat/errors/chat-error-code';
import { ChatException } from '../src/chat/errors/chat.exception';
import { ChatEventBus } from '../src/chat/events/chat-event-bus';
import { MessagesService, type SendResult } from '../src/chat/messages.service';
import { INSERT_MESSAGES, MARK_DELIVERED, WRITE_MESSAGES } from '../src/chat/message-write.statements';
import { ChatFactory, type TestConversation, type TestUser } from './factories/chat-factory';
import { createTestApp, type TestApp } from './utils/create-test-app';

/**
 * Sends issued in the same turn of the event loop share one statement (group
 * commit). These tests issue them that way on purpose and check that every
 * caller gets its own outcome and that nothing of the per-conversation
 * guarantees (gap-free seq in call order, idempotency) is lost.
 */
describe('messages sent together in one statement (e2e)', () => {
  let t: TestApp;
  let f: ChatFactory;
  let db: DataSource;
  let messages: MessagesService;
  let access: ChatAccess;
  let client: TestUser;
  let owner: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    f = new ChatFactory(t.http);
    db = t.app.get(DataSource);
    messages = t.app.get(MessagesService);
    access = t.app.get(ChatAccess);
    [client, owner] = await Promise.all([f.user('Clara'), f.user('Omar')]);
  });

  afterAll(async () => {
    await t.close();
  });

  async function conversations(count: number): Promise<TestConversation[]> {
    const listings = await Promise.all(Array.from({ length: count }, () => f.listing(owner)));
    return Promise.all(listings.map((listing) => f.conversation(client, listing)));
  }

  function membership(conversationId: string, userId: string): Promise<ConversationMembership> {
    return access.requireMembership(conversationId, userId);
  }

  async function stored(conversationId: string): Promise<Array<{ seq: number; content: string }>> {
    return db.query(`SELECT seq, content FROM chat.messages WHERE conversation_id = $1 ORDER BY seq`, [
      conversationId,
    ]);
  }

  /** The delivery announcements made while `run` runs. */
  async function announcedDeliveries(
    run: () => Promise<unknown>,
  ): Promise<Array<{ recipientId: string; messageIds: string[] }>> {
    const announced: Array<{ recipientId: string; messageIds: string[] }> = [];
    const unsubscribe = t.app.get(ChatEventBus).subscribe((event) => {
      if (event.type === 'messages.delivered')
        announced.push({ recipientId: event.recipientId, messageIds: event.messageIds });
    });
    try {
      await run();
    } finally {
      unsubscribe();
    }
    return announced;
  }

  async function statusOf(messageId: string): Promise<string> {
    const [row]: Array<{ status: string }> = await db.query(
      'SELECT status FROM chat.messages WHERE id = $1',
      [messageId],
    );
    return row.status;
  }

  it('stores sends to many conversations from one turn, each caller getting its own message', async () => {
    const chats = await conversations(20);
    const members = await Promise.all(chats.map((chat) => membership(chat.id, client.id)));
    // Three rounds per conversation, all issued before any statement returns.
    const sends: Array<{ chat: TestConversation; content: string; result: Promise<SendResult> }> = [];
    for (let round = 1; round <= 3; round++) {
      chats.forEach((chat, index) => {
        const content = `round ${round} to ${index}`;
        sends.push({ chat, content, result: messages.sendAsMember(members[index], client.id, { content }) });
      });
    }
    const results = await Promise.all(sends.map((send) => send.result));

    results.forEach((result, index) => {
      expect(result.created).toBe(true);
      expect(result.message.conversation_id).toBe(sends[index].chat.id);
      expect(result.message.content).toBe(sends[index].content);
    });
    for (const [index, chat] of chats.entries()) {
      // Gap-free and in the order the sends were made.
      expect(await stored(chat.id)).toEqual([
        { seq: 1, content: `round 1 to ${index}` },
        { seq: 2, content: `round 2 to ${index}` },
        { seq: 3, content: `round 3 to ${index}` },
      ]);
    }
  });

  it('fails only the send that breaks a rule when it shares a statement with others', async () => {
    const chats = await conversations(8);
    const members = await Promise.all(chats.map((chat) => membership(chat.id, client.id)));
    const reused = `cmid-${randomUUID()}`;
    const outcomes = await Promise.allSettled(
      chats.map((chat, index) =>
        messages.sendAsMember(members[index], client.id, {
          content: `message ${index}`,
          // The same client_message_id in two conversations: one of them must be refused.
          ...(index < 2 ? { client_message_id: reused } : {}),
        }),
      ),
    );

    const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(refused).toHaveLength(1);
    const reason: unknown = refused[0].reason;
    expect(reason).toBeInstanceOf(ChatException);
    expect((reason as ChatException).code).toBe(ChatErrorCode.Conflict);
    for (const [index, chat] of chats.entries()) {
      const rows = await stored(chat.id);
      if (outcomes[index].status === 'fulfilled')
        expect(rows).toEqual([{ seq: 1, content: `message ${index}` }]);
      else expect(rows).toEqual([]);
    }
  });

  it('answers a retried client_message_id with the one stored message, even when the retries come together', async () => {
    const [chat] = await conversations(1);
    const member = await membership(chat.id, client.id);
    const cmid = `retry-${randomUUID()}`;
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        messages.sendAsMember(member, client.id, { content: 'only once', client_message_id: cmid }),
      ),
    );

    expect(results.filter((result) => result.created)).toHaveLength(1);
    expect(new Set(results.map((result) => result.message.id)).size).toBe(1);
    expect(await stored(chat.id)).toEqual([{ seq: 1, content: 'only once' }]);
  });

  it('answers not found for a conversation deleted meanwhile and still stores the others of the statement', async () => {
    const chats = await conversations(3);
    const members = await Promise.all(chats.map((chat) => membership(chat.id, client.id)));
    await db.query('DELETE FROM chat.conversations WHERE id = $1', [chats[1].id]);

    const outcomes = await Promise.allSettled(
      members.map((member, index) => messages.sendAsMember(member, client.id, { content: `to ${index}` })),
    );

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(((outcomes[1] as PromiseRejectedResult).reason as ChatException).code).toBe(
      ChatErrorCode.NotFound,
    );
    expect(await stored(chats[0].id)).toEqual([{ seq: 1, content: 'to 0' }]);
    expect(await stored(chats[2].id)).toEqual([{ seq: 1, content: 'to 2' }]);
  });

  it('records deliveries marked together per recipient, and only once', async () => {
    const chats = await conversations(4);
    const sent = await Promise.all(
      chats.map(async (chat) => {
        const member = await membership(chat.id, owner.id);
        const first = await messages.sendAsMember(member, owner.id, { content: 'one' });
        const second = await messages.sendAsMember(member, owner.id, { content: 'two' });
        return [first.message.id, second.message.id];
      }),
    );

    const deliveries = () =>
      Promise.all(chats.map((chat, index) => messages.markDelivered(chat.id, client.id, sent[index])));
    const announced = await announcedDeliveries(async () => {
      // Marking the sender's own messages as delivered to the sender changes nothing.
      await messages.markDelivered(chats[0].id, owner.id, sent[0]);
      // Two tabs of the recipient report the same messages in the same turn.
      await Promise.all([deliveries(), deliveries()]);
    });

    expect(announced.flatMap((each) => each.messageIds).sort()).toEqual(sent.flat().sort());

    const rows: Array<{ id: string; status: string; delivered_at: Date | null }> = await db.query(
      `SELECT id, status, delivered_at FROM chat.messages WHERE id = ANY($1::uuid[])`,
      [sent.flat()],
    );
    expect(rows).toHaveLength(8);
    for (const row of rows) {
      expect(row.status).toBe('delivered');
      expect(row.delivered_at).toBeInstanceOf(Date);
    }
  });

  it('stores sends and records deliveries issued in the same turn with one statement', async () => {
    const chats = await conversations(3);
    const ownerSide = await membership(chats[0].id, owner.id);
    const earlier = await messages.sendAsMember(ownerSide, owner.id, { content: 'seen by the client' });
    const members = await Promise.all(chats.slice(1).map((chat) => membership(chat.id, client.id)));

    const statements = jest.spyOn(t.app.get(PreparedStatements), 'query');
    let sends: SendResult[] = [];
    const announced = await announcedDeliveries(async () => {
      [sends] = await Promise.all([
        Promise.all(
          members.map((member, index) =>
            messages.sendAsMember(member, client.id, { content: `new ${index}` }),
          ),
        ),
        messages.markDelivered(chats[0].id, client.id, [earlier.message.id]),
      ]);
    });
    const statementCount = statements.mock.calls.length;
    statements.mockRestore();

    expect(statementCount).toBe(1);
    expect(sends.map((send) => [send.created, send.message.seq, send.message.content])).toEqual([
      [true, 1, 'new 0'],
      [true, 1, 'new 1'],
    ]);
    expect(await stored(chats[1].id)).toEqual([{ seq: 1, content: 'new 0' }]);
    expect(await stored(chats[2].id)).toEqual([{ seq: 1, content: 'new 1' }]);
    expect(announced).toEqual([{ recipientId: client.id, messageIds: [earlier.message.id] }]);
    expect(await statusOf(earlier.message.id)).toBe('delivered');
  });

  it('writes a batch of one kind with the statement for that kind, and a mixed batch with the shared one', async () => {
    const chats = await conversations(2);
    const [clientSide, ownerSide] = await Promise.all([
      membership(chats[0].id, client.id),
      membership(chats[1].id, owner.id),
    ]);
    const statements = jest.spyOn(t.app.get(PreparedStatements), 'query');
    const statementNames = (): string[] => statements.mock.calls.map(([statement]) => statement.name);
    let sends: SendResult[] = [];
    try {
      sends = await Promise.all([
        messages.sendAsMember(clientSide, client.id, { content: 'alone 1' }),
        messages.sendAsMember(ownerSide, owner.id, { content: 'alone 2' }),
      ]);
      expect(statementNames()).toEqual([INSERT_MESSAGES.name]);

      statements.mockClear();
      const announced = await announcedDeliveries(() =>
        Promise.all([
          messages.markDelivered(chats[0].id, owner.id, [sends[0].message.id]),
          messages.markDelivered(chats[1].id, client.id, [sends[1].message.id]),
        ]),
      );
      expect(statementNames()).toEqual([MARK_DELIVERED.name]);
      const byRecipient = (a: { recipientId: string }, b: { recipientId: string }): number =>
        a.recipientId.localeCompare(b.recipientId);
      expect([...announced].sort(byRecipient)).toEqual(
        [
          { recipientId: owner.id, messageIds: [sends[0].message.id] },
          { recipientId: client.id, messageIds: [sends[1].message.id] },
        ].sort(byRecipient),
      );

      statements.mockClear();
      const [mixed] = await Promise.all([
        messages.sendAsMember(clientSide, client.id, { content: 'beside a mark' }),
        messages.markDelivered(chats[1].id, client.id, [sends[1].message.id]),
      ]);
      expect(statementNames()).toEqual([WRITE_MESSAGES.name]);
      expect(mixed.message.seq).toBe(2);
    } finally {
      statements.mockRestore();
    }

    expect(await stored(chats[0].id)).toEqual([
      { seq: 1, content: 'alone 1' },
      { seq: 2, content: 'beside a mark' },
    ]);
    expect(await stored(chats[1].id)).toEqual([{ seq: 1, content: 'alone 2' }]);
    expect(await statusOf(sends[0].message.id)).toBe('delivered');
    expect(await statusOf(sends[1].message.id)).toBe('delivered');
  });

  it('still records a delivery whose statement failed because of a send beside it', async () => {
    const chats = await conversations(3);
    const ownerSide = await membership(chats[0].id, owner.id);
    const earlier = await messages.sendAsMember(ownerSide, owner.id, { content: 'to be delivered' });
    const members = await Promise.all(chats.slice(1).map((chat) => membership(chat.id, client.id)));
    const reused = `cmid-${randomUUID()}`;

    let outcomes: Array<PromiseSettledResult<SendResult>> = [];
    const announced = await announcedDeliveries(async () => {
      [outcomes] = await Promise.all([
        // The same client_message_id in two conversations: the shared statement fails on it.
        Promise.allSettled(
          members.map((member) =>
            messages.sendAsMember(member, client.id, { content: 'x', client_message_id: reused }),
          ),
        ),
        messages.markDelivered(chats[0].id, client.id, [earlier.message.id]),
      ]);
    });

    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(announced).toEqual([{ recipientId: client.id, messageIds: [earlier.message.id] }]);
    expect(await statusOf(earlier.message.id)).toBe('delivered');
  });

  it("credits a delivery to the recipient only, when the sender's own mark of it shares the statement", async () => {
    const [chat] = await conversations(1);
    const sent = await messages.sendAsMember(await membership(chat.id, owner.id), owner.id, {
      content: 'hi',
    });

    // The sender's own mark of their message changes nothing, even beside the recipient's.
    const announced = await announcedDeliveries(() =>
      Promise.all([
        messages.markDelivered(chat.id, owner.id, [sent.message.id]),
        messages.markDelivered(chat.id, client.id, [sent.message.id]),
      ]),
    );

    expect(announced).toEqual([{ recipientId: client.id, messageIds: [sent.message.id] }]);
  });
});
