import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ChatFactory, type TestConversation, type TestUser } from './factories/chat-factory';
import { createTestApp, type TestApp } from './utils/create-test-app';

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

interface ListItem extends TestConversation {
  other_user_id: string;
  is_archived: boolean;
  unread_count: number;
  last_message_content: string | null;
  last_message_at: string | null;
}

describe('conversations (e2e)', () => {
  let t: TestApp;
  let f: ChatFactory;

  beforeAll(async () => {
    t = await createTestApp();
    f = new ChatFactory(t.http);
  });

  afterAll(async () => {
    await t.close();
  });

  async function list(
    user: TestUser,
    query: Record<string, string | number | boolean> = {},
  ): Promise<ListItem[]> {
    const response = await t.http
      .get('/v1/chat/conversations')
      .query(query)
      .set('Authorization', user.auth)
      .expect(200);
    expect(Array.isArray(response.body)).toBe(true);
    return response.body as ListItem[];
  }

  async function archive(user: TestUser, conversationId: string, archived: boolean): Promise<void> {
    await t.http
      .patch(`/v1/chat/conversations/${conversationId}/archive`)
      .query({ archived })
      .set('Authorization', user.auth)
      .expect(200);
  }

  describe('POST /v1/chat/conversations', () => {
    it('should create the conversation with 201, then return the same one with 200', async () => {
      const [client, owner] = await Promise.all([f.user(), f.user()]);
      const listing = await f.listing(owner);

      const created = await t.http
        .post('/v1/chat/conversations')
        .set('Authorization', client.auth)
        .send({ listing_id: listing.id })
        .expect(201);
      const again = await t.http
        .post('/v1/chat/conversations')
        .set('Authorization', client.auth)
        .send({ listing_id: listing.id })
        .expect(200);

      expect(created.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        listing_id: listing.id,
        client_user_id: client.id,
        owner_user_id: owner.id,
        created_at: expect.stringMatching(RFC3339),
        updated_at: expect.stringMatching(RFC3339),
        last_message_at: null,
        is_active: true,
        archived_by_client: false,
        archived_by_owner: false,
        last_seq: 0,
      });
      expect(again.body).toEqual(created.body);
    });

    it('should give each client of a listing their own conversation', async () => {
      const [a, b, owner] = await Promise.all([f.user(), f.user(), f.user()]);
      const listing = await f.listing(owner);

      const [withA, withB] = [await f.conversation(a, listing), await f.conversation(b, listing)];

      expect(withA.id).not.toBe(withB.id);
      expect(withB).toMatchObject({ client_user_id: b.id, owner_user_id: owner.id });
    });

    it('should answer 404 for an unknown listing', async () => {
      const client = await f.user();

      const response = await t.http
        .post('/v1/chat/conversations')
        .set('Authorization', client.auth)
        .send({ listing_id: randomUUID() })
        .expect(404);

      expect(response.body).toMatchObject({ code: 'not_found' });
    });

    it('should answer 400 when the caller owns the listing', async () => {
      const owner = await f.user();
      const listing = await f.listing(owner);

      const response = await t.http
        .post('/v1/chat/conversations')
        .set('Authorization', owner.auth)
        .send({ listing_id: listing.id })
        .expect(400);

      expect(response.body).toMatchObject({ code: 'validation_failed' });
    });

    it('should ignore client_user_id and owner_user_id sent by older clients', async () => {
      const [client, owner, stranger] = await Promise.all([f.user(), f.user(), f.user()]);
      const listing = await f.listing(owner);

      const response = await t.http
        .post('/v1/chat/conversations')
        .set('Authorization', client.auth)
        .send({ listing_id: listing.id, client_user_id: stranger.id, owner_user_id: stranger.id })
        .expect(201);

      expect(response.body).toMatchObject({ client_user_id: client.id, owner_user_id: owner.id });
    });

    it.each([
      ['a malformed listing_id', { listing_id: 'listing-1' }],
      ['a missing listing_id', {}],
      ['a numeric listing_id', { listing_id: 42 }],
    ])('should answer 400 naming the field for %s', async (_case, body) => {
      const client = await f.user();

      const response = await t.http
        .post('/v1/chat/conversations')
        .set('Authorization', client.auth)
        .send(body)
        .expect(400);

      expect(response.body).toMatchObject({
        code: 'validation_failed',
        message: expect.stringContaining('listing_id'),
      });
    });

    it('should answer 400 for a body that is not JSON', async () => {
      const client = await f.user();

      await t.http
        .post('/v1/chat/conversations')
        .set('Authorization', client.auth)
        .set('Content-Type', 'application/json')
        .send('{"listing_id": ')
        .expect(400);
    });

    it('should make exactly one conversation out of 20 parallel calls', async () => {
      const [client, owner] = await Promise.all([f.user(), f.user()]);
      const listing = await f.listing(owner);

      const responses = await Promise.all(
        Array.from({ length: 20 }, () =>
          t.http
            .post('/v1/chat/conversations')
            .set('Authorization', client.auth)
            .send({ listing_id: listing.id }),
        ),
      );

      const statuses = responses.map((response) => response.status);
      expect(statuses.filter((status) => status === 201)).toHaveLength(1);
      expect(statuses.filter((status) => status === 200)).toHaveLength(19);
      expect(new Set(responses.map((response) => (response.body as TestConversation).id)).size).toBe(1);
      const [{ count }] = await t.app
        .get(DataSource)
        .query(`SELECT count(*)::int AS count FROM chat.conversations WHERE listing_id = $1`, [listing.id]);
      expect(count).toBe(1);
    });
  });

  describe('GET /v1/chat/conversations', () => {
    it('should list the caller’s conversations with the other party, the listing and the last message', async () => {
      const { client, owner, listing, conversation } = await f.pair();
      await f.send(client, conversation.id, 'Hola, ¿sigue disponible?');
      const last = await f.send(owner, conversation.id, 'Sí, claro');

      const [item] = await list(client);

      expect(item).toEqual({
        id: conversation.id,
        listing_id: listing.id,
        client_user_id: client.id,
        owner_user_id: owner.id,
        created_at: conversation.created_at,
        updated_at: expect.stringMatching(RFC3339),
        last_message_at: last.created_at,
        is_active: true,
        archived_by_client: false,
        archived_by_owner: false,
        last_seq: 2,
        other_user_id: owner.id,
        other_user_name: 'Omar User',
        other_user_picture: null,
        other_user_online: false,
        listing_title: listing.title,
        listing_price: '1500.50',
        listing_currency: 'PEN',
        last_message_content: 'Sí, claro',
        last_message_sender_id: owner.id,
        unread_count: 1,
        is_archived: false,
        is_muted: false,
      });
      const [ownerItem] = await list(owner);
      expect(ownerItem).toMatchObject({
        id: conversation.id,
        other_user_id: client.id,
        other_user_name: 'Clara User',
        unread_count: 1,
      });
    });

    it('should answer a plain empty array for a user without conversations', async () => {
      const loner = await f.user();

      await expect(list(loner)).resolves.toEqual([]);
    });

    it('should order by newest activity first', async () => {
      const client = await f.user();
      const [ownerA, ownerB] = await Promise.all([f.user(), f.user()]);
      const a = await f.conversation(client, await f.listing(ownerA, 'A'));
      const b = await f.conversation(client, await f.listing(ownerB, 'B'));
      await f.send(ownerA, a.id, 'first');
      await f.send(ownerB, b.id, 'second');

      expect((await list(client)).map((item) => item.id)).toEqual([b.id, a.id]);

      await f.send(client, a.id, 'third');

      expect((await list(client)).map((item) => item.id)).toEqual([a.id, b.id]);
    });

    it('should page with skip and limit', async () => {
      const client = await f.user();
      const ids: string[] = [];
      for (const title of ['one', 'two', 'three']) {
        const owner = await f.user();
        const conversation = await f.conversation(client, await f.listing(owner, title));
        await f.send(owner, conversation.id, title);
        ids.unshift(conversation.id);
      }

      const firstPage = await list(client, { skip: 0, limit: 2 });
      const secondPage = await list(client, { skip: 2, limit: 2 });

      expect(firstPage.map((item) => item.id)).toEqual(ids.slice(0, 2));
      expect(secondPage.map((item) => item.id)).toEqual(ids.slice(2));
    });

    it.each([
      ['limit=0', { limit: 0 }, 'limit'],
      ['limit=101', { limit: 101 }, 'limit'],
      ['limit=abc', { limit: 'abc' }, 'limit'],
      ['skip=-1', { skip: -1 }, 'skip'],
      ['a skip beyond any database offset', { skip: '99999999999999999999' }, 'skip'],
      ['archived=maybe', { archived: 'maybe' }, 'archived'],
    ])('should answer 400 naming the parameter for %s', async (_case, query, field) => {
      const client = await f.user();

      const response = await t.http
        .get('/v1/chat/conversations')
        .query(query)
        .set('Authorization', client.auth)
        .expect(400);

      expect(response.body).toMatchObject({
        code: 'validation_failed',
        message: expect.stringContaining(field),
      });
    });

    it('should accept limit=1 and limit=100', async () => {
      const { client } = await f.pair();

      await expect(list(client, { limit: 1 })).resolves.toHaveLength(1);
      await expect(list(client, { limit: 100 })).resolves.toHaveLength(1);
    });

    it('should leave out conversations archived on the caller’s side unless archived=true', async () => {
      const { client, owner, conversation } = await f.pair();
      await archive(client, conversation.id, true);

      await expect(list(client)).resolves.toEqual([]);
      await expect(list(client, { archived: false })).resolves.toEqual([]);
      const withArchived = await list(client, { archived: true });
      expect(withArchived).toEqual([expect.objectContaining({ id: conversation.id, is_archived: true })]);
      const ownerView = await list(owner);
      expect(ownerView).toEqual([expect.objectContaining({ id: conversation.id, is_archived: false })]);
    });
  });

  describe('GET /v1/chat/conversations/:id', () => {
    it('should return the conversation with the other party’s name and picture', async () => {
      const { client, owner, conversation } = await f.pair();
      await t.app
        .get(DataSource)
        .query(
          `UPDATE app.users SET profile_picture_url = 'https://cdn.example.test/omar.jpg' WHERE id = $1`,
          [owner.id],
        );

      const response = await t.http
        .get(`/v1/chat/conversations/${conversation.id}`)
        .set('Authorization', client.auth)
        .expect(200);

      expect(response.body).toEqual({
        ...conversation,
        other_user_id: owner.id,
        other_user_name: 'Omar User',
        other_user_picture: 'https://cdn.example.test/omar.jpg',
      });
      const ownerView = await t.http
        .get(`/v1/chat/conversations/${conversation.id}`)
        .set('Authorization', owner.auth)
        .expect(200);
      expect(ownerView.body).toMatchObject({
        other_user_id: client.id,
        other_user_name: 'Clara User',
        other_user_picture: null,
      });
    });

    it('should answer a non-member exactly like a conversation that does not exist', async () => {
      const [{ conversation }, stranger] = await Promise.all([f.pair(), f.user()]);

      const foreign = await t.http
        .get(`/v1/chat/conversations/${conversation.id}`)
        .set('Authorization', stranger.auth)
        .expect(404);
      const missing = await t.http
        .get(`/v1/chat/conversations/${randomUUID()}`)
        .set('Authorization', stranger.auth)
        .expect(404);

      expect(foreign.body).toEqual(missing.body);
      expect(foreign.body).toEqual({ statusCode: 404, code: 'not_found', message: expect.any(String) });
    });

    it('should hide the conversation from a non-member on every route', async () => {
      const [{ client, conversation }, stranger] = await Promise.all([f.pair(), f.user()]);
      const message = await f.send(client, conversation.id, 'private');
      const as = (call: ReturnType<typeof t.http.get>) =>
        call.set('Authorization', stranger.auth).expect(404);

      await as(t.http.get(`/v1/chat/conversations/${conversation.id}/messages`));
      await as(t.http.post(`/v1/chat/conversations/${conversation.id}/messages`).send({ content: 'hi' }));
      await as(t.http.patch(`/v1/chat/conversations/${conversation.id}/read`));
      await as(t.http.patch(`/v1/chat/conversations/${conversation.id}/archive`));
      await as(t.http.patch(`/v1/chat/messages/${message.id}/read`));
      await as(t.http.delete(`/v1/chat/messages/${message.id}`));
      await as(t.http.get('/v1/chat/unread-count').query({ conversation_id: conversation.id }));
      const messages = await t.http
        .get(`/v1/chat/conversations/${conversation.id}/messages`)
        .set('Authorization', client.auth);
      expect(messages.body).toHaveLength(1);
    });

    it('should answer 400 for a malformed id in the path', async () => {
      const client = await f.user();

      const response = await t.http
        .get('/v1/chat/conversations/not-a-uuid')
        .set('Authorization', client.auth)
        .expect(400);

      expect(response.body).toMatchObject({
        code: 'validation_failed',
        message: expect.stringContaining('id'),
      });
      await t.http
        .get('/v1/chat/conversations/not-a-uuid/messages')
        .set('Authorization', client.auth)
        .expect(400);
      await t.http
        .patch('/v1/chat/conversations/not-a-uuid/read')
        .set('Authorization', client.auth)
        .expect(400);
      await t.http
        .patch('/v1/chat/conversations/not-a-uuid/archive')
        .set('Authorization', client.auth)
        .expect(400);
    });
  });

  describe('PATCH /v1/chat/conversations/:id/archive', () => {
    it('should archive and unarchive only the caller’s side, through the query string', async () => {
      const { client, owner, conversation } = await f.pair();

      const archived = await t.http
        .patch(`/v1/chat/conversations/${conversation.id}/archive?archived=true`)
        .set('Authorization', owner.auth)
        .expect(200);

      expect(archived.body).toMatchObject({
        id: conversation.id,
        archived_by_owner: true,
        archived_by_client: false,
      });

      const restored = await t.http
        .patch(`/v1/chat/conversations/${conversation.id}/archive?archived=false`)
        .set('Authorization', owner.auth)
        .expect(200);

      expect(restored.body).toMatchObject({ archived_by_owner: false, archived_by_client: false });
      await expect(list(client)).resolves.toHaveLength(1);
    });

    it('should accept archived in a JSON body', async () => {
      const { client, conversation } = await f.pair();

      const archived = await t.http
        .patch(`/v1/chat/conversations/${conversation.id}/archive`)
        .set('Authorization', client.auth)
        .send({ archived: true })
        .expect(200);
      expect(archived.body).toMatchObject({ archived_by_client: true, archived_by_owner: false });

      const restored = await t.http
        .patch(`/v1/chat/conversations/${conversation.id}/archive`)
        .set('Authorization', client.auth)
        .send({ archived: false })
        .expect(200);
      expect(restored.body).toMatchObject({ archived_by_client: false, archived_by_owner: false });
    });

    it('should archive when archived is not given', async () => {
      const { client, conversation } = await f.pair();

      const response = await t.http
        .patch(`/v1/chat/conversations/${conversation.id}/archive`)
        .set('Authorization', client.auth)
        .expect(200);

      expect(response.body).toMatchObject({ archived_by_client: true, archived_by_owner: false });
    });

    it('should answer 400 for an archived value that is not a boolean', async () => {
      const { client, conversation } = await f.pair();

      await t.http
        .patch(`/v1/chat/conversations/${conversation.id}/archive?archived=yes-please`)
        .set('Authorization', client.auth)
        .expect(400);
      await t.http
        .patch(`/v1/chat/conversations/${conversation.id}/archive`)
        .set('Authorization', client.auth)
        .send({ archived: 'soon' })
        .expect(400);
    });

    it('should un-archive for the recipient when the other party writes, but not for the sender', async () => {
      const { client, owner, conversation } = await f.pair();
      await archive(client, conversation.id, true);
      await archive(owner, conversation.id, true);

      await f.send(owner, conversation.id, 'Te hago un descuento');

      const clientView = await list(client);
      expect(clientView).toEqual([expect.objectContaining({ id: conversation.id, is_archived: false })]);
      await expect(list(owner)).resolves.toEqual([]);
      const ownerArchived = await list(owner, { archived: true });
      expect(ownerArchived).toEqual([expect.objectContaining({ id: conversation.id, is_archived: true })]);
    });
  });
});
