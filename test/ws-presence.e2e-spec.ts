import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { ChatFactory } from './factories/chat-factory';
import { accessToken, ChatSockets } from './utils/chat-sockets';
import { createTestApp, type TestApp } from './utils/create-test-app';
import { testDatabaseUrl } from './utils/test-database-url';
import type { WsTestClient } from './utils/ws-test-client';

interface PresenceRow {
  is_online: boolean;
  last_seen_at: Date | null;
}

describe('WebSocket presence, heartbeat and token expiry', () => {
  let t: TestApp;
  let appClosed = false;
  let factory: ChatFactory;
  let sockets: ChatSockets;

  beforeAll(async () => {
    t = await createTestApp({ WS_HEARTBEAT_MS: '500' });
    factory = new ChatFactory(t.http);
    sockets = new ChatSockets(t.wsBaseUrl);
  });

  afterEach(async () => {
    await sockets.closeAll();
  });

  afterAll(async () => {
    if (!appClosed) await t.close();
  });

  async function presenceOf(userId: string): Promise<PresenceRow | undefined> {
    const rows: PresenceRow[] = await t.app
      .get(DataSource)
      .query('SELECT is_online, last_seen_at FROM chat.user_presence WHERE user_id = $1', [userId]);
    return rows[0];
  }

  async function connected(
    conversationId: string,
    token: string,
    options: { autoPong?: boolean } = {},
  ): Promise<WsTestClient> {
    const socket = await sockets.connect(conversationId, token, options);
    await socket.next('connected');
    return socket;
  }

  async function settle(client: WsTestClient): Promise<void> {
    client.send({ type: 'ping' });
    await client.next('pong');
  }

  // First in this file, so no socket of another test is still counted.
  it('should count open sockets in GET /v1/chat/health websocket_stats', async () => {
    const { client, owner, conversation } = await factory.pair();
    const tab1 = await connected(conversation.id, client.token);
    await connected(conversation.id, client.token);
    const ownerWs = await connected(conversation.id, owner.token);

    const open = await t.http.get('/v1/chat/health').expect(200);
    expect(open.body).toMatchObject({
      status: 'healthy',
      websocket_stats: { total_connections: 3, unique_users_online: 2, active_conversations: 1 },
    });

    // Past the owner's going online: tab1's connect snapshot already says the owner is offline.
    await tab1.next('presence', (frame) => frame.user_id === owner.id && frame.is_online === true);
    await ownerWs.close();
    await tab1.next('presence', (frame) => frame.user_id === owner.id && frame.is_online === false);
    const afterClose = await t.http.get('/v1/chat/health').expect(200);
    expect(afterClose.body).toMatchObject({
      websocket_stats: { total_connections: 2, unique_users_online: 1, active_conversations: 1 },
    });
  });

  it('should keep a user online while one tab is open and show them offline with last_seen_at when the last closes', async () => {
    const { client, owner, conversation } = await factory.pair();
    const ownerWs = await connected(conversation.id, owner.token);
    expect(await ownerWs.next('presence')).toMatchObject({ user_id: client.id, is_online: false });
    const tab1 = await connected(conversation.id, client.token);
    expect(await ownerWs.next('presence')).toMatchObject({
      conversation_id: conversation.id,
      user_id: client.id,
      is_online: true,
    });
    expect(await presenceOf(client.id)).toMatchObject({ is_online: true });
    const tab2 = await connected(conversation.id, client.token);

    await tab1.close();
    await settle(tab2);
    await settle(ownerWs);
    expect(await presenceOf(client.id)).toMatchObject({ is_online: true });

    await tab2.close();
    const offline = await ownerWs.next('presence');
    expect(offline).toEqual({
      type: 'presence',
      conversation_id: conversation.id,
      user_id: client.id,
      is_online: false,
      last_seen_at: expect.any(String) as string,
    });
    // Closing the first tab announced nothing: online once, then offline once.
    expect(ownerWs.all('presence').map((frame) => frame.is_online)).toEqual([false, true, false]);
    expect(await presenceOf(client.id)).toEqual({
      is_online: false,
      last_seen_at: new Date(offline.last_seen_at as string),
    });
  });

  it('should send typing false to the other side when a typing user disconnects', async () => {
    const { client, owner, conversation } = await factory.pair();
    const ownerWs = await connected(conversation.id, owner.token);
    const clientWs = await connected(conversation.id, client.token);
    clientWs.send({ type: 'typing', is_typing: true });
    expect(await ownerWs.next('typing')).toMatchObject({ user_id: client.id, is_typing: true });

    clientWs.terminate();

    expect(await ownerWs.next('typing')).toMatchObject({
      conversation_id: conversation.id,
      user_id: client.id,
      is_typing: false,
    });
  });

  it('should drop a client that stops answering pings and show it offline to the other side', async () => {
    const { client, owner, conversation } = await factory.pair();
    const ownerWs = await connected(conversation.id, owner.token);
    const silent = await connected(conversation.id, client.token, { autoPong: false });
    await ownerWs.next('presence', (frame) => frame.user_id === client.id && frame.is_online === true);

    expect((await silent.closed()).code).toBe(1006);
    expect(await ownerWs.next('presence')).toMatchObject({ user_id: client.id, is_online: false });
    expect(await presenceOf(client.id)).toMatchObject({ is_online: false });
    // A client that answers pings stays connected through the same heartbeats.
    await settle(ownerWs);
  });

  it('should close the socket with 4401 when its token expires', async () => {
    const { client, conversation } = await factory.pair();
    const socket = await connected(conversation.id, accessToken(client.id, 2));

    expect((await socket.closed()).code).toBe(4401);
  });

  it('should keep the socket open past the old expiry after an auth frame with a fresh token', async () => {
    const { client, owner, conversation } = await factory.pair();
    const shortLived = accessToken(client.id, 2);
    const unrenewed = await connected(conversation.id, shortLived);
    const renewed = await connected(conversation.id, shortLived);

    renewed.send({ type: 'auth', token: owner.token });
    expect(await renewed.next('error')).toMatchObject({ code: 'unauthorized' });
    renewed.send({ type: 'auth', token: client.token });
    expect(await renewed.next('authenticated')).toEqual({
      type: 'authenticated',
      conversation_id: conversation.id,
      expires_at: expect.any(String) as string,
    });

    // Both sockets had the same expiry: once the unrenewed one is closed, the renewed one has outlived it.
    expect((await unrenewed.closed()).code).toBe(4401);
    await settle(renewed);
  });

  // Last in this file: it shuts the app down.
  it('should close open sockets with 1001 and mark their users offline on shutdown', async () => {
    const { client, owner, conversation } = await factory.pair();
    const ownerWs = await connected(conversation.id, owner.token);
    const clientWs = await connected(conversation.id, client.token);
    await ownerWs.next('presence', (frame) => frame.user_id === client.id && frame.is_online === true);
    expect(await presenceOf(client.id)).toMatchObject({ is_online: true });

    appClosed = true;
    await t.close();

    expect((await clientWs.closed()).code).toBe(1001);
    expect((await ownerWs.closed()).code).toBe(1001);
    // The app's pool is gone: read the rows over a connection of our own.
    const db = new Client({ connectionString: testDatabaseUrl() });
    await db.connect();
    try {
      const { rows } = await db.query<PresenceRow>(
        'SELECT is_online FROM chat.user_presence WHERE user_id = ANY($1::uuid[])',
        [[client.id, owner.id]],
      );
      expect(rows).toEqual([{ is_online: false }, { is_online: false }]);
    } finally {
      await db.end();
    }
  });
});
