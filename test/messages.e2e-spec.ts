import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ChatFactory, type TestMessage, type TestUser } from './factories/chat-factory';
import { createTestApp, type TestApp } from './utils/create-test-app';

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

describe('messages (e2e)', () => {
  let t: TestApp;
  let f: ChatFactory;
  let db: DataSource;

  beforeAll(async () => {
    t = await createTestApp();
    f = new ChatFactory(t.http);
    db = t.app.get(DataSource);
  });

  afterAll(async () => {
    await t.close();
  });

  function messagesUrl(conversationId: string): string {
    return `/v1/chat/conversations/${conversationId}/messages`;
  }

  async function fetchMessages(
    user: TestUser,
    conversationId: string,
    query: Record<string, string | number> = {},
  ): Promise<TestMessage[]> {
    const response = await t.http
      .get(messagesUrl(conversationId))
      .query(query)
      .set('Authorization', user.auth)
      .expect(200);
    expect(Array.isArray(response.body)).toBe(true);
    return response.body as TestMessage[];
  }

  async function storedCount(conversationId: string): Promise<number> {
    const [{ count }] = await db.query(
      `SELECT count(*)::int AS count FROM chat.messages WHERE conversation_id = $1`,
      [conversationId],
    );
    return count as number;
  }

  async function sendMany(sender: TestUser, conversationId: string, count: number): Promise<TestMessage[]> {
    const sent: TestMessage[] = [];
    for (let i = 1; i <= count; i += 1) sent.push(await f.send(sender, conversationId, `message ${i}`));
    return sent;
  }

  const seqs = (messages: TestMessage[]): number[] => messages.map((message) => message.seq);

  describe('POST /v1/chat/conversations/:id/messages', () => {
    it('should store a message and answer 201 with exactly the message fields', async () => {
      const { client, conversation } = await f.pair();

      const response = await t.http
        .post(messagesUrl(conversation.id))
        .set('Authorization', client.auth)
        .send({ content: '  Hola, me interesa tu propiedad  ', message_type: 'text' })
        .expect(201);

      expect(response.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        conversation_id: conversation.id,
        sender_user_id: client.id,
        seq: 1,
        client_message_id: null,
        message_type: 'text',
        content: 'Hola, me interesa tu propiedad',
        media_url: null,
        status: 'sent',
        read_at: null,
        delivered_at: null,
        created_at: expect.stringMatching(RFC3339),
        updated_at: expect.stringMatching(RFC3339),
        is_deleted: false,
      });
    });

    it('should number messages 1..n across both parties and move the conversation forward', async () => {
      const { client, owner, conversation } = await f.pair();

      const sent = [
        await f.send(client, conversation.id, 'a'),
        await f.send(owner, conversation.id, 'b'),
        await f.send(client, conversation.id, 'c'),
      ];

      expect(seqs(sent)).toEqual([1, 2, 3]);
      const detail = await t.http
        .get(`/v1/chat/conversations/${conversation.id}`)
        .set('Authorization', owner.auth)
        .expect(200);
      expect(detail.body).toMatchObject({ last_seq: 3, last_message_at: sent[2].created_at });
    });

    it('should accept image and document messages with an http(s) media_url', async () => {
      const { client, conversation } = await f.pair();

      const image = await f.send(client, conversation.id, 'foto', {
        message_type: 'image',
        media_url: 'https://cdn.example.test/a.jpg',
      });
      const document = await f.send(client, conversation.id, 'contrato', {
        message_type: 'document',
        media_url: 'http://localhost:9000/contract.pdf',
      });

      expect(image).toMatchObject({ message_type: 'image', media_url: 'https://cdn.example.test/a.jpg' });
      expect(document).toMatchObject({
        message_type: 'document',
        media_url: 'http://localhost:9000/contract.pdf',
      });
    });

    it('should accept exactly 5000 characters', async () => {
      const { client, conversation } = await f.pair();

      const message = await f.send(client, conversation.id, 'x'.repeat(5000));

      expect(message.content).toHaveLength(5000);
    });

    it('should count characters, not UTF-16 units, towards the 5000 limit', async () => {
      const { client, conversation } = await f.pair();

      const message = await f.send(client, conversation.id, '😀'.repeat(5000));

      expect(message.content).toBe('😀'.repeat(5000));
    });

    it.each([
      ['empty content', { content: '' }, 'content'],
      ['whitespace-only content', { content: ' \n\t ' }, 'content'],
      ['missing content', {}, 'content'],
      ['content that is not text', { content: 42 }, 'content'],
      ['5001 characters', { content: 'x'.repeat(5001) }, 'content'],
      ['5001 characters counted as code points', { content: '❤️'.repeat(2501) }, 'content'],
      ['a NUL character in the content', { content: 'hola\u0000' }, 'content'],
      ['message_type system', { content: 'hi', message_type: 'system' }, 'system'],
      ['an unknown message_type', { content: 'hi', message_type: 'video' }, 'message_type'],
      [
        'a media_url that is not http(s)',
        { content: 'hi', media_url: 'ftp://example.test/a.jpg' },
        'media_url',
      ],
      ['a javascript: media_url', { content: 'hi', media_url: 'javascript:alert(1)' }, 'media_url'],
      ['a media_url that is not a URL', { content: 'hi', media_url: 'a.jpg' }, 'media_url'],
      [
        'a client_message_id over 64 characters',
        { content: 'hi', client_message_id: 'c'.repeat(65) },
        'client_message_id',
      ],
      [
        'a client_message_id over 64 code points',
        { content: 'hi', client_message_id: '❤️'.repeat(33) },
        'client_message_id',
      ],
      [
        'a NUL character in the client_message_id',
        { content: 'hi', client_message_id: 'a\u0000' },
        'client_message_id',
      ],
      [
        'a NUL character in the media_url',
        { content: 'hi', media_url: 'https://cdn.example.test/a\u0000.jpg' },
        'media_url',
      ],
      ['an empty client_message_id', { content: 'hi', client_message_id: '' }, 'client_message_id'],
    ])('should answer 400 for %s and store nothing', async (_case, body, mentioned) => {
      const { client, conversation } = await f.pair();

      const response = await t.http
        .post(messagesUrl(conversation.id))
        .set('Authorization', client.auth)
        .send(body)
        .expect(400);

      expect(response.body).toMatchObject({
        statusCode: 400,
        code: 'validation_failed',
        message: expect.stringContaining(mentioned),
      });
      await expect(storedCount(conversation.id)).resolves.toBe(0);
    });

    it('should answer 413 for a body over 100 KiB and store nothing', async () => {
      const { client, conversation } = await f.pair();

      const response = await t.http
        .post(messagesUrl(conversation.id))
        .set('Authorization', client.auth)
        .send({ content: 'x'.repeat(101 * 1024) })
        .expect(413);

      expect(response.body).toMatchObject({ statusCode: 413, message: expect.stringMatching(/too large/i) });
      await expect(storedCount(conversation.id)).resolves.toBe(0);
    });

    it('should return the original with 200 and store nothing when a client_message_id is retried', async () => {
      const { client, conversation } = await f.pair();
      const first = await t.http
        .post(messagesUrl(conversation.id))
        .set('Authorization', client.auth)
        .send({ content: 'once', client_message_id: 'tmp-1' })
        .expect(201);

      const retry = await t.http
        .post(messagesUrl(conversation.id))
        .set('Authorization', client.auth)
        .send({ content: 'once, edited', client_message_id: 'tmp-1' })
        .expect(200);

      expect(retry.body).toEqual(first.body);
      expect(retry.body).toMatchObject({ client_message_id: 'tmp-1', content: 'once', seq: 1 });
      await expect(storedCount(conversation.id)).resolves.toBe(1);
      await expect(f.send(client, conversation.id, 'next')).resolves.toMatchObject({ seq: 2 });
    });

    it('should store one message for parallel retries of one client_message_id', async () => {
      const { client, conversation } = await f.pair();

      const responses = await Promise.all(
        Array.from({ length: 10 }, () =>
          t.http
            .post(messagesUrl(conversation.id))
            .set('Authorization', client.auth)
            .send({ content: 'racing', client_message_id: 'race-1' }),
        ),
      );

      expect(responses.map((response) => response.status).sort()).toEqual([
        200, 200, 200, 200, 200, 200, 200, 200, 200, 201,
      ]);
      expect(new Set(responses.map((response) => (response.body as TestMessage).id)).size).toBe(1);
      await expect(storedCount(conversation.id)).resolves.toBe(1);
      await expect(f.send(client, conversation.id, 'next')).resolves.toMatchObject({ seq: 2 });
    });

    it('should let the other party use the same client_message_id', async () => {
      const { client, owner, conversation } = await f.pair();

      const mine = await f.send(client, conversation.id, 'mine', { client_message_id: 'shared' });
      const theirs = await f.send(owner, conversation.id, 'theirs', { client_message_id: 'shared' });

      expect(theirs.id).not.toBe(mine.id);
      expect(theirs.seq).toBe(2);
    });

    it('should answer 409 when the client_message_id was used in another conversation', async () => {
      const { client, conversation } = await f.pair();
      const otherOwner = await f.user();
      const other = await f.conversation(client, await f.listing(otherOwner));
      await f.send(client, conversation.id, 'first', { client_message_id: 'reused' });

      const response = await t.http
        .post(messagesUrl(other.id))
        .set('Authorization', client.auth)
        .send({ content: 'second', client_message_id: 'reused' })
        .expect(409);

      expect(response.body).toMatchObject({ code: 'conflict' });
      await expect(storedCount(other.id)).resolves.toBe(0);
    });

    it('should give 50 parallel sends the seqs 1..50 exactly', async () => {
      const { client, owner, conversation } = await f.pair();

      const responses = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          t.http
            .post(messagesUrl(conversation.id))
            .set('Authorization', i % 2 === 0 ? client.auth : owner.auth)
            .send({ content: `parallel ${i}` }),
        ),
      );

      expect(responses.map((response) => response.status)).toEqual(Array(50).fill(201));
      const assigned = responses.map((response) => (response.body as TestMessage).seq).sort((a, b) => a - b);
      expect(assigned).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      const detail = await t.http
        .get(`/v1/chat/conversations/${conversation.id}`)
        .set('Authorization', client.auth)
        .expect(200);
      expect(detail.body.last_seq).toBe(50);
    });
  });

  describe('GET /v1/chat/conversations/:id/messages', () => {
    it('should return a plain array, newest first, limited by limit', async () => {
      const { client, conversation } = await f.pair();
      await sendMany(client, conversation.id, 5);

      await expect(fetchMessages(client, conversation.id).then(seqs)).resolves.toEqual([5, 4, 3, 2, 1]);
      await expect(fetchMessages(client, conversation.id, { limit: 2 }).then(seqs)).resolves.toEqual([5, 4]);
    });

    it('should show every field exactly as the send and the delete answered it', async () => {
      const { client, owner, conversation } = await f.pair();
      const kept = await f.send(client, conversation.id, 'kept', { client_message_id: `k-${randomUUID()}` });
      const removed = await f.send(client, conversation.id, 'removed', {
        media_url: 'https://cdn.example.test/y.jpg',
        message_type: 'image',
      });
      const deleted = await t.http
        .delete(`/v1/chat/messages/${removed.id}`)
        .set('Authorization', client.auth)
        .expect(200);

      // The sender's own fetch marks nothing, so history must equal what the API answered before.
      expect(await fetchMessages(client, conversation.id)).toEqual([deleted.body, kept]);
      const [, seenByOwner] = await fetchMessages(owner, conversation.id);
      expect(seenByOwner).toEqual({
        ...kept,
        status: 'delivered',
        delivered_at: expect.stringMatching(RFC3339),
      });
      expect(new Date(seenByOwner.delivered_at!).toISOString()).toBe(seenByOwner.delivered_at);
      expect(await fetchMessages(owner, conversation.id)).toEqual(
        await fetchMessages(client, conversation.id),
      );
    });

    it('should page with after_seq (oldest first) and before_seq (newest first)', async () => {
      const { client, conversation } = await f.pair();
      await sendMany(client, conversation.id, 6);

      await expect(
        fetchMessages(client, conversation.id, { after_seq: 2, limit: 3 }).then(seqs),
      ).resolves.toEqual([3, 4, 5]);
      await expect(fetchMessages(client, conversation.id, { after_seq: 0 }).then(seqs)).resolves.toEqual([
        1, 2, 3, 4, 5, 6,
      ]);
      await expect(
        fetchMessages(client, conversation.id, { before_seq: 5, limit: 2 }).then(seqs),
      ).resolves.toEqual([4, 3]);
      await expect(fetchMessages(client, conversation.id, { after_seq: 6 })).resolves.toEqual([]);
    });

    it('should page with message-id cursors: after oldest first, before newest first', async () => {
      const { client, conversation } = await f.pair();
      const sent = await sendMany(client, conversation.id, 6);

      await expect(fetchMessages(client, conversation.id, { after: sent[1].id }).then(seqs)).resolves.toEqual(
        [3, 4, 5, 6],
      );
      await expect(
        fetchMessages(client, conversation.id, { before: sent[3].id }).then(seqs),
      ).resolves.toEqual([3, 2, 1]);
      await expect(
        fetchMessages(client, conversation.id, { after: sent[0].id, before: sent[4].id }).then(seqs),
      ).resolves.toEqual([2, 3, 4]);
    });

    it('should page with ISO-8601 timestamp cursors taken from the messages themselves', async () => {
      const { client, conversation } = await f.pair();
      const sent = await sendMany(client, conversation.id, 4);

      await expect(
        fetchMessages(client, conversation.id, { after: sent[1].created_at }).then(seqs),
      ).resolves.toEqual([3, 4]);
      await expect(
        fetchMessages(client, conversation.id, { before: sent[2].created_at }).then(seqs),
      ).resolves.toEqual([2, 1]);
      const offset = new Date(Date.parse(sent[3].created_at) + 1).toISOString().replace('Z', '+00:00');
      await expect(fetchMessages(client, conversation.id, { before: offset }).then(seqs)).resolves.toEqual([
        4, 3, 2, 1,
      ]);
    });

    it('should walk pages of tied timestamps by message-id cursor without skipping or repeating', async () => {
      const { client, owner, conversation } = await f.pair();
      for (let i = 0; i < 7; i += 1) await f.send(i % 2 === 0 ? client : owner, conversation.id, `tie ${i}`);
      await db.query(
        `UPDATE chat.messages SET created_at = '2025-12-12T10:00:00Z' WHERE conversation_id = $1`,
        [conversation.id],
      );

      const backwards: TestMessage[] = [];
      let page = await fetchMessages(client, conversation.id, { limit: 3 });
      while (page.length > 0) {
        backwards.push(...page);
        page = await fetchMessages(client, conversation.id, { limit: 3, before: page[page.length - 1].id });
      }
      const forwards: TestMessage[] = [];
      page = await fetchMessages(client, conversation.id, { limit: 3, after_seq: 0 });
      while (page.length > 0) {
        forwards.push(...page);
        page = await fetchMessages(client, conversation.id, { limit: 3, after: page[page.length - 1].id });
      }

      expect(seqs(backwards)).toEqual([7, 6, 5, 4, 3, 2, 1]);
      expect(seqs(forwards)).toEqual([1, 2, 3, 4, 5, 6, 7]);
      expect(new Set(backwards.map((message) => message.created_at))).toEqual(
        new Set(['2025-12-12T10:00:00.000Z']),
      );
    });

    it.each([
      ['an unparsable before', { before: 'yesterday' }, 'before'],
      ['an unparsable after', { after: '12345' }, 'after'],
      ['an impossible date', { after: '2025-13-45T99:99:99Z' }, 'after'],
      ['a message id from nowhere', { before: randomUUID() }, 'before'],
      ['a negative after_seq', { after_seq: -1 }, 'after_seq'],
      ['a non-numeric before_seq', { before_seq: 'x' }, 'before_seq'],
      ['an after_seq beyond the integer range', { after_seq: 99999999999 }, 'after_seq'],
      ['a before_seq beyond the integer range', { before_seq: 99999999999 }, 'before_seq'],
      ['limit=0', { limit: 0 }, 'limit'],
      ['limit=101', { limit: 101 }, 'limit'],
    ])('should answer 400 naming the parameter for %s', async (_case, query, name) => {
      const { client, conversation } = await f.pair();
      await f.send(client, conversation.id, 'hi');

      const response = await t.http
        .get(messagesUrl(conversation.id))
        .query(query)
        .set('Authorization', client.auth)
        .expect(400);

      expect(response.body).toMatchObject({
        code: 'validation_failed',
        message: expect.stringContaining(name),
      });
    });

    it('should answer 404 to a non-member and for an unknown conversation, whatever the cursor', async () => {
      const { client, conversation } = await f.pair();
      const stranger = await f.user('Stella');
      const [message] = await sendMany(client, conversation.id, 2);

      for (const query of [
        {},
        { before_seq: 2 },
        { after_seq: 0 },
        { before: message.id },
        { after: 'nonsense' },
      ]) {
        const response = await t.http
          .get(messagesUrl(conversation.id))
          .query(query)
          .set('Authorization', stranger.auth)
          .expect(404);
        expect(response.body).toMatchObject({ code: 'not_found', message: 'Conversation not found' });
      }
      await t.http.get(messagesUrl(randomUUID())).set('Authorization', client.auth).expect(404);
    });

    it('should refuse a message-id cursor from another conversation', async () => {
      const { client, conversation } = await f.pair();
      const elsewhere = await f.pair();
      const foreign = await f.send(elsewhere.client, elsewhere.conversation.id, 'elsewhere');

      await t.http
        .get(messagesUrl(conversation.id))
        .query({ after: foreign.id })
        .set('Authorization', client.auth)
        .expect(400);
    });

    it('should mark the other party’s messages delivered when the recipient fetches them', async () => {
      const { client, owner, conversation } = await f.pair();
      await f.send(client, conversation.id, 'from client');
      await f.send(owner, conversation.id, 'from owner');

      const senderView = await fetchMessages(client, conversation.id);
      expect(senderView.map((message) => [message.seq, message.status])).toEqual([
        [2, 'delivered'],
        [1, 'sent'],
      ]);

      const recipientView = await fetchMessages(owner, conversation.id);
      const fromClient = recipientView.find((message) => message.seq === 1)!;
      expect(fromClient).toMatchObject({ status: 'delivered', delivered_at: expect.stringMatching(RFC3339) });
      const again = await fetchMessages(client, conversation.id);
      expect(again.find((message) => message.seq === 1)).toMatchObject({
        status: 'delivered',
        delivered_at: fromClient.delivered_at,
      });
    });

    it('should not mark messages outside the fetched page delivered', async () => {
      const { client, owner, conversation } = await f.pair();
      await sendMany(client, conversation.id, 3);

      await fetchMessages(owner, conversation.id, { limit: 1 });

      const statuses = (await fetchMessages(client, conversation.id)).map((message) => message.status);
      expect(statuses).toEqual(['delivered', 'sent', 'sent']);
    });
  });

  describe('DELETE /v1/chat/messages/:id and /v1/chat/conversations/:cid/messages/:mid', () => {
    it('should soft-delete the sender’s message: content gone, is_deleted true, seq kept', async () => {
      const { client, owner, conversation } = await f.pair();
      const message = await f.send(client, conversation.id, 'oops', {
        media_url: 'https://cdn.example.test/x.jpg',
        message_type: 'image',
      });

      const response = await t.http
        .delete(`/v1/chat/messages/${message.id}`)
        .set('Authorization', client.auth)
        .expect(200);

      expect(response.body).toMatchObject({
        id: message.id,
        seq: 1,
        is_deleted: true,
        content: null,
        media_url: null,
      });
      const [seen] = await fetchMessages(owner, conversation.id);
      expect(seen).toMatchObject({ id: message.id, is_deleted: true, content: null, media_url: null });
    });

    it('should delete through the conversation-scoped route and refuse a mismatched conversation', async () => {
      const { client, conversation } = await f.pair();
      const other = await f.conversation(client, await f.listing(await f.user()));
      const message = await f.send(client, conversation.id, 'bye');

      await t.http
        .delete(`/v1/chat/conversations/${other.id}/messages/${message.id}`)
        .set('Authorization', client.auth)
        .expect(404);
      const response = await t.http
        .delete(`/v1/chat/conversations/${conversation.id}/messages/${message.id}`)
        .set('Authorization', client.auth)
        .expect(200);

      expect(response.body).toMatchObject({ id: message.id, is_deleted: true, content: null });
    });

    it('should answer 403 to the other member and 404 to a non-member, deleting nothing', async () => {
      const [{ client, owner, conversation }, stranger] = await Promise.all([f.pair(), f.user()]);
      const message = await f.send(client, conversation.id, 'keep me');

      const forbidden = await t.http
        .delete(`/v1/chat/messages/${message.id}`)
        .set('Authorization', owner.auth)
        .expect(403);
      await t.http.delete(`/v1/chat/messages/${message.id}`).set('Authorization', stranger.auth).expect(404);
      await t.http
        .delete(`/v1/chat/conversations/${conversation.id}/messages/${message.id}`)
        .set('Authorization', stranger.auth)
        .expect(404);

      expect(forbidden.body).toMatchObject({ code: 'forbidden' });
      const [stored] = await fetchMessages(client, conversation.id);
      expect(stored).toMatchObject({ content: 'keep me', is_deleted: false });
    });

    it('should answer 404 for an unknown message and 400 for a malformed id', async () => {
      const { client, conversation } = await f.pair();

      await t.http.delete(`/v1/chat/messages/${randomUUID()}`).set('Authorization', client.auth).expect(404);
      await t.http.delete('/v1/chat/messages/42').set('Authorization', client.auth).expect(400);
      await t.http
        .delete(`/v1/chat/conversations/${conversation.id}/messages/42`)
        .set('Authorization', client.auth)
        .expect(400);
    });

    it('should recompute last_message_content and last_message_at on the conversation list', async () => {
      const { client, owner, conversation } = await f.pair();
      const first = await f.send(owner, conversation.id, 'first');
      const second = await f.send(client, conversation.id, 'second');

      await t.http.delete(`/v1/chat/messages/${second.id}`).set('Authorization', client.auth).expect(200);

      const [afterOne] = (
        await t.http.get('/v1/chat/conversations').set('Authorization', owner.auth).expect(200)
      ).body;
      expect(afterOne).toMatchObject({
        last_message_content: 'first',
        last_message_at: first.created_at,
        last_message_sender_id: owner.id,
      });

      await t.http
        .delete(`/v1/chat/conversations/${conversation.id}/messages/${first.id}`)
        .set('Authorization', owner.auth)
        .expect(200);

      const [afterBoth] = (
        await t.http.get('/v1/chat/conversations').set('Authorization', client.auth).expect(200)
      ).body;
      expect(afterBoth).toMatchObject({
        last_message_content: null,
        last_message_at: null,
        last_message_sender_id: null,
      });
    });

    it('should answer 200 with the deleted message when it is deleted again', async () => {
      const { client, conversation } = await f.pair();
      const message = await f.send(client, conversation.id, 'twice');
      await t.http.delete(`/v1/chat/messages/${message.id}`).set('Authorization', client.auth).expect(200);

      const again = await t.http
        .delete(`/v1/chat/messages/${message.id}`)
        .set('Authorization', client.auth)
        .expect(200);

      expect(again.body).toMatchObject({ id: message.id, is_deleted: true, content: null });
    });
  });
});
