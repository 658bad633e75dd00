import { randomUUID } from 'node:crypto';
import { ChatFactory, type TestMessage, type TestUser } from './factories/chat-factory';
import { createTestApp, type TestApp } from './utils/create-test-app';

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

interface UnreadCount {
  unread_count: number;
  conversation_counts: Record<string, number>;
}

describe('read receipts and unread counts (e2e)', () => {
  let t: TestApp;
  let f: ChatFactory;

  beforeAll(async () => {
    t = await createTestApp();
    f = new ChatFactory(t.http);
  });

  afterAll(async () => {
    await t.close();
  });

  async function unread(user: TestUser, conversationId?: string): Promise<UnreadCount> {
    const call = t.http.get('/v1/chat/unread-count').set('Authorization', user.auth);
    const response = await (conversationId ? call.query({ conversation_id: conversationId }) : call).expect(
      200,
    );
    return response.body as UnreadCount;
  }

  async function listUnread(user: TestUser): Promise<Record<string, number>> {
    const response = await t.http
      .get('/v1/chat/conversations')
      .query({ archived: true, limit: 100 })
      .set('Authorization', user.auth)
      .expect(200);
    const items = response.body as Array<{ id: string; unread_count: number }>;
    return Object.fromEntries(items.map((item) => [item.id, item.unread_count]));
  }

  /** The total, the per-conversation map and the list items must all tell the same story. */
  async function expectUnread(user: TestUser, expected: Record<string, number>): Promise<void> {
    const total = Object.values(expected).reduce((sum, n) => sum + n, 0);
    const nonZero = Object.fromEntries(Object.entries(expected).filter(([, n]) => n > 0));
    await expect(unread(user)).resolves.toEqual({ unread_count: total, conversation_counts: nonZero });
    await expect(listUnread(user)).resolves.toEqual(expected);
    for (const [conversationId, n] of Object.entries(expected)) {
      await expect(unread(user, conversationId)).resolves.toEqual({
        unread_count: n,
        conversation_counts: { [conversationId]: n },
      });
    }
  }

  async function statusesSeenBy(user: TestUser, conversationId: string): Promise<Array<[number, string]>> {
    const response = await t.http
      .get(`/v1/chat/conversations/${conversationId}/messages`)
      .query({ after_seq: 0 })
      .set('Authorization', user.auth)
      .expect(200);
    return (response.body as TestMessage[]).map((message) => [message.seq, message.status]);
  }

  describe('PATCH /v1/chat/conversations/:id/read', () => {
    it('should mark every message of the other party read and report the read position', async () => {
      const { client, owner, conversation } = await f.pair();
      await f.send(owner, conversation.id, 'one');
      await f.send(client, conversation.id, 'two');
      await f.send(owner, conversation.id, 'three');

      const response = await t.http
        .patch(`/v1/chat/conversations/${conversation.id}/read`)
        .set('Authorization', client.auth)
        .expect(200);

      expect(response.body).toEqual({
        conversation_id: conversation.id,
        messages_marked_read: 2,
        last_read_seq: 3,
        read_at: expect.stringMatching(RFC3339),
      });
      await expect(statusesSeenBy(owner, conversation.id)).resolves.toEqual([
        [1, 'read'],
        [2, 'delivered'],
        [3, 'read'],
      ]);
      const [newest] = (
        await t.http
          .get(`/v1/chat/conversations/${conversation.id}/messages`)
          .set('Authorization', owner.auth)
          .expect(200)
      ).body as TestMessage[];
      expect(newest).toMatchObject({
        seq: 3,
        read_at: response.body.read_at,
        delivered_at: expect.stringMatching(RFC3339),
      });
    });

    it('should mark nothing the second time', async () => {
      const { client, owner, conversation } = await f.pair();
      await f.send(owner, conversation.id, 'one');
      await t.http
        .patch(`/v1/chat/conversations/${conversation.id}/read`)
        .set('Authorization', client.auth)
        .expect(200);

      const again = await t.http
        .patch(`/v1/chat/conversations/${conversation.id}/read`)
        .set('Authorization', client.auth)
        .expect(200);

      expect(again.body).toEqual({
        conversation_id: conversation.id,
        messages_marked_read: 0,
        last_read_seq: 1,
        read_at: null,
      });
    });

    it('should answer an empty conversation with nothing marked', async () => {
      const { client, conversation } = await f.pair();

      const response = await t.http
        .patch(`/v1/chat/conversations/${conversation.id}/read`)
        .set('Authorization', client.auth)
        .expect(200);

      expect(response.body).toEqual({
        conversation_id: conversation.id,
        messages_marked_read: 0,
        last_read_seq: 0,
        read_at: null,
      });
    });
  });

  describe('PATCH /v1/chat/messages/:id/read', () => {
    it('should mark that message and the earlier ones of the other party, not the later ones', async () => {
      const { client, owner, conversation } = await f.pair();
      await f.send(owner, conversation.id, 'o1');
      const second = await f.send(owner, conversation.id, 'o2');
      await f.send(client, conversation.id, 'c3');
      await f.send(owner, conversation.id, 'o4');

      const response = await t.http
        .patch(`/v1/chat/messages/${second.id}/read`)
        .set('Authorization', client.auth)
        .expect(200);

      expect(response.body).toEqual({
        conversation_id: conversation.id,
        messages_marked_read: 2,
        last_read_seq: 2,
        read_at: expect.stringMatching(RFC3339),
      });
      await expect(statusesSeenBy(owner, conversation.id)).resolves.toEqual([
        [1, 'read'],
        [2, 'read'],
        [3, 'delivered'],
        [4, 'sent'],
      ]);
      await expect(unread(client)).resolves.toEqual({
        unread_count: 1,
        conversation_counts: { [conversation.id]: 1 },
      });
    });

    it('should never move the read position backwards', async () => {
      const { client, owner, conversation } = await f.pair();
      const first = await f.send(owner, conversation.id, 'o1');
      await f.send(owner, conversation.id, 'o2');
      await t.http
        .patch(`/v1/chat/conversations/${conversation.id}/read`)
        .set('Authorization', client.auth)
        .expect(200);

      const response = await t.http
        .patch(`/v1/chat/messages/${first.id}/read`)
        .set('Authorization', client.auth)
        .expect(200);

      expect(response.body).toMatchObject({ messages_marked_read: 0, last_read_seq: 2, read_at: null });
      await expect(unread(client)).resolves.toEqual({ unread_count: 0, conversation_counts: {} });
    });

    it('should change nothing when the caller reads their own message', async () => {
      const { client, owner, conversation } = await f.pair();
      await f.send(owner, conversation.id, 'o1');
      const own = await f.send(client, conversation.id, 'c2');

      const response = await t.http
        .patch(`/v1/chat/messages/${own.id}/read`)
        .set('Authorization', client.auth)
        .expect(200);

      expect(response.body).toEqual({
        conversation_id: conversation.id,
        messages_marked_read: 0,
        last_read_seq: 0,
        read_at: null,
      });
      await expect(statusesSeenBy(owner, conversation.id)).resolves.toEqual([
        [1, 'sent'],
        [2, 'delivered'],
      ]);
      await expect(unread(client)).resolves.toEqual({
        unread_count: 1,
        conversation_counts: { [conversation.id]: 1 },
      });
    });

    it('should answer 404 for an unknown message and 400 for a malformed id', async () => {
      const client = await f.user();

      await t.http
        .patch(`/v1/chat/messages/${randomUUID()}/read`)
        .set('Authorization', client.auth)
        .expect(404);
      await t.http.patch('/v1/chat/messages/nope/read').set('Authorization', client.auth).expect(400);
    });
  });

  describe('GET /v1/chat/unread-count', () => {
    it('should stay exact through sends, reads, deletes and archiving', async () => {
      const { client, owner, conversation } = await f.pair();
      const otherOwner = await f.user();
      const other = await f.conversation(client, await f.listing(otherOwner, 'Otro depa'));
      const c = conversation.id;
      await expectUnread(client, { [c]: 0, [other.id]: 0 });

      const sent = [await f.send(owner, c, 'o1'), await f.send(owner, c, 'o2'), await f.send(owner, c, 'o3')];
      await expectUnread(client, { [c]: 3, [other.id]: 0 });
      await expectUnread(owner, { [c]: 0 });

      await f.send(client, c, 'c4');
      await expectUnread(client, { [c]: 3, [other.id]: 0 });
      await expectUnread(owner, { [c]: 1 });

      await f.send(otherOwner, other.id, 'x1');
      await expectUnread(client, { [c]: 3, [other.id]: 1 });

      await t.http
        .patch(`/v1/chat/messages/${sent[0].id}/read`)
        .set('Authorization', client.auth)
        .expect(200);
      await expectUnread(client, { [c]: 2, [other.id]: 1 });

      await t.http.delete(`/v1/chat/messages/${sent[2].id}`).set('Authorization', owner.auth).expect(200);
      await expectUnread(client, { [c]: 1, [other.id]: 1 });

      await t.http.delete(`/v1/chat/messages/${sent[0].id}`).set('Authorization', owner.auth).expect(200);
      await expectUnread(client, { [c]: 1, [other.id]: 1 });

      await t.http
        .patch(`/v1/chat/conversations/${c}/archive?archived=true`)
        .set('Authorization', client.auth)
        .expect(200);
      await expectUnread(client, { [c]: 1, [other.id]: 1 });

      await t.http
        .patch(`/v1/chat/conversations/${c}/archive?archived=false`)
        .set('Authorization', client.auth)
        .expect(200);
      await expectUnread(client, { [c]: 1, [other.id]: 1 });

      await f.send(owner, c, 'o6');
      await expectUnread(client, { [c]: 2, [other.id]: 1 });

      await t.http.patch(`/v1/chat/conversations/${c}/read`).set('Authorization', client.auth).expect(200);
      await expectUnread(client, { [c]: 0, [other.id]: 1 });
      await expectUnread(owner, { [c]: 1 });

      await t.http.patch(`/v1/chat/conversations/${c}/read`).set('Authorization', owner.auth).expect(200);
      await expectUnread(owner, { [c]: 0 });
    });

    it('should answer 404 for a conversation of others and 400 for a malformed id', async () => {
      const [{ conversation }, stranger] = await Promise.all([f.pair(), f.user()]);

      await t.http
        .get('/v1/chat/unread-count')
        .query({ conversation_id: conversation.id })
        .set('Authorization', stranger.auth)
        .expect(404);
      const response = await t.http
        .get('/v1/chat/unread-count')
        .query({ conversation_id: 'abc' })
        .set('Authorization', stranger.auth)
        .expect(400);
      expect(response.body).toMatchObject({
        code: 'validation_failed',
        message: expect.stringContaining('conversation_id'),
      });
    });

    it('should need a bearer token', async () => {
      const response = await t.http.get('/v1/chat/unread-count').expect(401);

      expect(response.headers['www-authenticate']).toBe('Bearer');
    });
  });
});
