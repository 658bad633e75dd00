import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ChatFactory } from './factories/chat-factory';
import { ChatSockets } from './utils/chat-sockets';
import { createTestApp, type TestApp } from './utils/create-test-app';
import type { Frame, WsTestClient } from './utils/ws-test-client';

interface StoredMessage {
  id: string;
  seq: number;
  content: string;
  client_message_id: string | null;
  status: 'sent' | 'delivered' | 'read';
  delivered_at: Date | null;
  read_at: Date | null;
  is_deleted: boolean;
}

const MESSAGE_LIMIT = 5;
const TYPING_LIMIT = 3;

describe('WebSocket messaging', () => {
  let t: TestApp;
  let factory: ChatFactory;
  let sockets: ChatSockets;

  beforeAll(async () => {
    t = await createTestApp({
      WS_MESSAGE_RATE_LIMIT: String(MESSAGE_LIMIT),
      WS_TYPING_RATE_LIMIT: String(TYPING_LIMIT),
      WS_RATE_WINDOW_MS: '60000',
    });
    factory = new ChatFactory(t.http);
    sockets = new ChatSockets(t.wsBaseUrl);
  });

  afterEach(async () => {
    await sockets.closeAll();
  });

  afterAll(async () => {
    await t.close();
  });

  function stored(conversationId: string): Promise<StoredMessage[]> {
    return t.app.get(DataSource).query(
      `SELECT id, seq, content, client_message_id, status, delivered_at, read_at, is_deleted
           FROM chat.messages WHERE conversation_id = $1 ORDER BY seq`,
      [conversationId],
    );
  }

  /** Everything the server wrote to this socket before now has arrived: frames are ordered per socket. */
  async function settle(...clients: WsTestClient[]): Promise<void> {
    for (const client of clients) {
      client.send({ type: 'ping' });
      await client.next('pong');
    }
  }

  async function connected(
    conversationId: string,
    token: string,
    query: Record<string, string> = {},
  ): Promise<WsTestClient> {
    const socket = await sockets.connect(conversationId, token, { query });
    await socket.next('connected');
    return socket;
  }

  /** A conversation with the client and the owner connected to it. */
  async function chat() {
    const pair = await factory.pair();
    const clientWs = await connected(pair.conversation.id, pair.client.token);
    const ownerWs = await connected(pair.conversation.id, pair.owner.token);
    return { ...pair, clientWs, ownerWs };
  }

  const seqs = (client: WsTestClient): number[] => client.all('message').map((frame) => messageOf(frame).seq);

  it('should store a message frame and send it to both sides, echoing client_message_id to the sender', async () => {
    const { client, owner, conversation } = await factory.pair();
    const ownerWs = await connected(conversation.id, owner.token);
    const clientWs = await sockets.connect(conversation.id, client.token);

    // Sent the moment the socket opens: nothing is lost before the gateway is ready.
    clientWs.send({ type: 'message', content: '  Hola, sigue disponible?  ', client_message_id: 'cm-1' });

    const echo = await clientWs.next('message');
    const received = await ownerWs.next('message');
    expect(echo).toEqual({
      type: 'message',
      conversation_id: conversation.id,
      data: expect.objectContaining({
        conversation_id: conversation.id,
        sender_user_id: client.id,
        seq: 1,
        content: 'Hola, sigue disponible?',
        client_message_id: 'cm-1',
        message_type: 'text',
      }) as unknown,
      timestamp: expect.any(String) as string,
    });
    expect(messageOf(received).id).toBe(messageOf(echo).id);
    expect(await stored(conversation.id)).toEqual([
      expect.objectContaining({
        id: messageOf(echo).id,
        seq: 1,
        content: 'Hola, sigue disponible?',
        client_message_id: 'cm-1',
      }),
    ]);
  });

  it('should move a message from sent to delivered to read, with receipts to the sender and to both sides', async () => {
    const { client, owner, conversation } = await factory.pair();
    const clientWs = await connected(conversation.id, client.token);
    clientWs.send({ type: 'message', content: 'first', client_message_id: 'st-1' });
    const first = messageOf(await clientWs.next('message'));
    expect(first.status).toBe('sent');
    expect(await stored(conversation.id)).toEqual([
      expect.objectContaining({ status: 'sent', delivered_at: null }),
    ]);

    // The owner comes online and catches up: writing the message to their socket delivers it.
    const ownerWs = await connected(conversation.id, owner.token, { after_seq: '0' });
    expect(messageOf(await ownerWs.next('message')).id).toBe(first.id);
    const delivered = await clientWs.next('delivery_receipt');
    expect(delivered).toEqual({
      type: 'delivery_receipt',
      conversation_id: conversation.id,
      message_id: first.id,
      delivered_at: expect.any(String) as string,
    });
    expect(await stored(conversation.id)).toEqual([
      expect.objectContaining({
        status: 'delivered',
        delivered_at: new Date(delivered.delivered_at as string),
      }),
    ]);

    ownerWs.send({ type: 'read', message_id: first.id });
    const expectedReceipt = {
      type: 'read_receipt',
      conversation_id: conversation.id,
      message_id: first.id,
      read_by: owner.id,
      read_at: expect.any(String) as string,
      last_read_seq: 1,
    };
    expect(await clientWs.next('read_receipt')).toEqual(expectedReceipt);
    expect(await ownerWs.next('read_receipt')).toEqual(expectedReceipt);
    expect(await stored(conversation.id)).toEqual([
      expect.objectContaining({ status: 'read', read_at: expect.any(Date) }),
    ]);

    // Live: a message written to the open socket is delivered at once; `read` by seq works too.
    clientWs.send({ type: 'message', content: 'second', client_message_id: 'st-2' });
    const second = messageOf(await ownerWs.next('message'));
    expect(await clientWs.next('delivery_receipt')).toMatchObject({ message_id: second.id });
    ownerWs.send({ type: 'read', seq: 2 });
    expect(await clientWs.next('read_receipt')).toMatchObject({ message_id: second.id, last_read_seq: 2 });
    expect((await stored(conversation.id)).map((m) => m.status)).toEqual(['read', 'read']);
  });

  it('should change and announce nothing when a user reads their own message', async () => {
    const { conversation, clientWs, ownerWs } = await chat();
    clientWs.send({ type: 'message', content: 'mine', client_message_id: 'own-1' });
    const mine = messageOf(await clientWs.next('message'));
    await clientWs.next('delivery_receipt');

    clientWs.send({ type: 'read', message_id: mine.id });
    clientWs.send({ type: 'read', seq: 1 });
    await settle(clientWs, ownerWs);

    expect([
      ...clientWs.all('read_receipt'),
      ...ownerWs.all('read_receipt'),
      ...clientWs.all('error'),
    ]).toEqual([]);
    expect(await stored(conversation.id)).toEqual([
      expect.objectContaining({ status: 'delivered', read_at: null }),
    ]);
  });

  it('should send typing to the other participant only, coercing is_typing to a boolean', async () => {
    const { client, conversation, clientWs, ownerWs } = await chat();

    clientWs.send({ type: 'typing', is_typing: 'true' });
    expect(await ownerWs.next('typing')).toEqual({
      type: 'typing',
      conversation_id: conversation.id,
      user_id: client.id,
      is_typing: true,
      timestamp: expect.any(String) as string,
    });
    clientWs.send({ type: 'typing', is_typing: 0 });
    expect(await ownerWs.next('typing')).toMatchObject({ user_id: client.id, is_typing: false });

    await settle(clientWs);
    expect(clientWs.all('typing')).toEqual([]);
  });

  it('should answer ping with pong', async () => {
    const { conversation, clientWs } = await chat();

    clientWs.send({ type: 'ping' });

    expect(await clientWs.next('pong')).toEqual({
      type: 'pong',
      conversation_id: conversation.id,
      timestamp: expect.any(String) as string,
    });
  });

  it('should keep two tabs of one user in step', async () => {
    const { client, conversation, clientWs: tab1, ownerWs } = await chat();
    const tab2 = await connected(conversation.id, client.token);

    ownerWs.send({ type: 'message', content: 'from owner', client_message_id: 'tabs-1' });
    const fromOwner = messageOf(await ownerWs.next('message'));
    expect(messageOf(await tab1.next('message')).id).toBe(fromOwner.id);
    expect(messageOf(await tab2.next('message')).id).toBe(fromOwner.id);

    tab1.send({ type: 'message', content: 'from tab 1', client_message_id: 'tabs-2' });
    const fromTab1 = messageOf(await tab1.next('message'));
    expect(messageOf(await tab2.next('message')).id).toBe(fromTab1.id);
    expect(messageOf(await ownerWs.next('message')).id).toBe(fromTab1.id);

    ownerWs.send({ type: 'typing', is_typing: true });
    await tab1.next('typing');
    await tab2.next('typing');

    tab1.send({ type: 'read', message_id: fromOwner.id });
    expect(await tab2.next('read_receipt')).toMatchObject({ message_id: fromOwner.id, read_by: client.id });
    expect(await ownerWs.next('read_receipt')).toMatchObject({
      message_id: fromOwner.id,
      read_by: client.id,
    });
    expect(await stored(conversation.id)).toHaveLength(2);
  });

  it('should send the frames of conversation A only to sockets opened for A, even for the same user', async () => {
    const [clientA, clientB, owner] = await Promise.all([
      factory.user('Ana'),
      factory.user('Beto'),
      factory.user('Omar'),
    ]);
    const listing = await factory.listing(owner);
    const a = await factory.conversation(clientA, listing);
    const b = await factory.conversation(clientB, listing);
    const ownerOnB = await connected(b.id, owner.token);
    const ownerOnA = await connected(a.id, owner.token);
    const clientOnA = await connected(a.id, clientA.token);

    clientOnA.send({ type: 'typing', is_typing: true });
    await ownerOnA.next('typing');
    clientOnA.send({ type: 'message', content: 'only on A', client_message_id: 'route-1' });
    const message = messageOf(await ownerOnA.next('message'));
    await clientOnA.next('delivery_receipt');
    ownerOnA.send({ type: 'read', message_id: message.id });
    await clientOnA.next('read_receipt');
    await factory.send(owner, a.id, 'over REST, on A');
    await clientOnA.next('message', (frame) => messageOf(frame).seq === 2);
    await settle(clientOnA, ownerOnA, ownerOnB);

    // Owner's B socket has only its own frames: connected, the snapshot of B's client, pong.
    expect(ownerOnB.frames.map((frame) => [frame.type, frame.conversation_id])).toEqual([
      ['connected', b.id],
      ['presence', b.id],
      ['pong', b.id],
    ]);
    for (const frame of [...ownerOnA.frames, ...clientOnA.frames]) expect(frame.conversation_id).toBe(a.id);
  });

  it('should send REST sends, reads and deletes to the sockets of the conversation', async () => {
    const { client, owner, conversation, clientWs, ownerWs } = await chat();

    const sent = await factory.send(owner, conversation.id, 'sent over REST');
    expect(messageOf(await clientWs.next('message'))).toMatchObject({
      id: sent.id,
      content: 'sent over REST',
    });
    expect(messageOf(await ownerWs.next('message'))).toMatchObject({ id: sent.id });
    expect(await ownerWs.next('delivery_receipt')).toMatchObject({ message_id: sent.id });

    await t.http
      .patch(`/v1/chat/conversations/${conversation.id}/read`)
      .set('Authorization', client.auth)
      .expect(200);
    for (const socket of [clientWs, ownerWs]) {
      expect(await socket.next('read_receipt')).toMatchObject({
        conversation_id: conversation.id,
        message_id: sent.id,
        read_by: client.id,
        last_read_seq: 1,
      });
    }

    await t.http.delete(`/v1/chat/messages/${sent.id}`).set('Authorization', owner.auth).expect(200);
    for (const socket of [clientWs, ownerWs]) {
      expect(await socket.next('message_deleted')).toMatchObject({
        type: 'message_deleted',
        conversation_id: conversation.id,
        message_id: sent.id,
      });
    }
    expect(await stored(conversation.id)).toEqual([
      expect.objectContaining({ id: sent.id, is_deleted: true }),
    ]);
  });

  it('should replay messages sent while disconnected with after_seq, then continue live, without gap or duplicate', async () => {
    const { client, owner, conversation } = await factory.pair();
    const first = await connected(conversation.id, owner.token);
    await factory.send(client, conversation.id, 'm1');
    await factory.send(client, conversation.id, 'm2');
    await first.next('message', (frame) => messageOf(frame).seq === 2);
    await first.close();

    await factory.send(client, conversation.id, 'm3');
    await factory.send(client, conversation.id, 'm4');
    // m5 races the reconnect: it lands in the replay or arrives live, but exactly once.
    const [again] = await Promise.all([
      sockets.connect(conversation.id, owner.token, { query: { after_seq: '2' } }),
      factory.send(client, conversation.id, 'm5'),
    ]);
    await again.next('message', (frame) => messageOf(frame).seq === 5);
    await factory.send(client, conversation.id, 'm6');
    await again.next('message', (frame) => messageOf(frame).seq === 6);
    await settle(again);

    expect(seqs(again)).toEqual([3, 4, 5, 6]);
    expect(again.all('message').map((frame) => messageOf(frame).content)).toEqual(['m3', 'm4', 'm5', 'm6']);
  });

  it('should still send new messages to a socket that asked for an after_seq past the end', async () => {
    const { client, owner, conversation } = await factory.pair();
    await factory.send(client, conversation.id, 'a1');
    const ownerWs = await connected(conversation.id, owner.token, { after_seq: '50' });
    ownerWs.send({ type: 'sync', after_seq: 80 });
    await settle(ownerWs);

    await factory.send(client, conversation.id, 'a2');

    expect(messageOf(await ownerWs.next('message'))).toMatchObject({ seq: 2, content: 'a2' });
  });

  it('should replay from after_seq on a sync frame, then continue live', async () => {
    const { client, conversation, ownerWs } = await chat();
    for (const content of ['s1', 's2', 's3']) await factory.send(client, conversation.id, content);
    await ownerWs.next('message', (frame) => messageOf(frame).seq === 3);

    ownerWs.send({ type: 'sync', after_seq: 1 });
    await ownerWs.next('message', (frame) => messageOf(frame).seq === 3);
    await factory.send(client, conversation.id, 's4');
    await ownerWs.next('message', (frame) => messageOf(frame).seq === 4);
    await settle(ownerWs);

    expect(seqs(ownerWs)).toEqual([1, 2, 3, 2, 3, 4]);
  });

  it('should store a client_message_id resent after a reconnect once and echo the original to the sender only', async () => {
    const { client, conversation, clientWs, ownerWs } = await chat();
    clientWs.send({ type: 'message', content: 'only once', client_message_id: 'retry-1' });
    const original = messageOf(await clientWs.next('message'));
    await ownerWs.next('message');
    await clientWs.close();

    const reconnected = await connected(conversation.id, client.token);
    reconnected.send({ type: 'message', content: 'only once (retried)', client_message_id: 'retry-1' });

    expect(messageOf(await reconnected.next('message'))).toMatchObject({
      id: original.id,
      seq: 1,
      content: 'only once',
      client_message_id: 'retry-1',
    });
    await settle(ownerWs);
    expect(ownerWs.all('message')).toHaveLength(1);
    expect(await stored(conversation.id)).toEqual([expect.objectContaining({ id: original.id })]);
  });

  it('should answer an invalid message with validation_failed carrying client_message_id, then store the next one', async () => {
    const { conversation, clientWs } = await chat();

    clientWs.send({ type: 'message', content: 'x'.repeat(5001), client_message_id: 'too-long' });
    expect(await clientWs.next('error')).toEqual({
      type: 'error',
      conversation_id: conversation.id,
      code: 'validation_failed',
      message: expect.stringContaining('5000') as string,
      timestamp: expect.any(String) as string,
      client_message_id: 'too-long',
    });
    clientWs.send({
      type: 'message',
      content: 'I am the server',
      message_type: 'system',
      client_message_id: 'sys',
    });
    expect(await clientWs.next('error')).toMatchObject({
      code: 'validation_failed',
      client_message_id: 'sys',
    });
    clientWs.send({ type: 'message', content: '   ', client_message_id: 'blank' });
    expect(await clientWs.next('error')).toMatchObject({
      code: 'validation_failed',
      client_message_id: 'blank',
    });

    clientWs.send({ type: 'message', content: 'x'.repeat(5000), client_message_id: 'fits' });
    expect(messageOf(await clientWs.next('message'))).toMatchObject({ client_message_id: 'fits', seq: 1 });
    expect(await stored(conversation.id)).toEqual([expect.objectContaining({ client_message_id: 'fits' })]);
  });

  it('should answer malformed frames with error codes and keep the socket working', async () => {
    const { conversation, clientWs } = await chat();
    const cases: Array<[string | Buffer, string]> = [
      ['{not json', 'invalid_json'],
      ['[1, 2]', 'invalid_json'],
      ['"a string"', 'invalid_json'],
      ['null', 'invalid_json'],
      [Buffer.from(JSON.stringify({ type: 'ping' })), 'invalid_json'],
      [JSON.stringify({ type: 'dance' }), 'unknown_type'],
      [JSON.stringify({ content: 'no type' }), 'unknown_type'],
      [JSON.stringify({ type: 'read' }), 'validation_failed'],
      [JSON.stringify({ type: 'read', message_id: randomUUID() }), 'not_found'],
      [JSON.stringify({ type: 'sync', after_seq: -1 }), 'validation_failed'],
    ];

    for (const [raw, code] of cases) {
      clientWs.socket.send(raw);
      expect(await clientWs.next('error')).toMatchObject({ conversation_id: conversation.id, code });
    }

    clientWs.send({ type: 'message', content: 'still here', client_message_id: 'after-junk' });
    expect(messageOf(await clientWs.next('message'))).toMatchObject({ client_message_id: 'after-junk' });
    expect(await stored(conversation.id)).toHaveLength(1);
  });

  it('should answer messages and typing over the per-user limits with rate_limited and store nothing more', async () => {
    const { conversation, clientWs, ownerWs } = await chat();

    for (let i = 1; i <= MESSAGE_LIMIT + 1; i += 1) {
      clientWs.send({ type: 'message', content: `burst ${i}`, client_message_id: `burst-${i}` });
    }
    expect(await clientWs.next('error')).toMatchObject({
      code: 'rate_limited',
      client_message_id: `burst-${MESSAGE_LIMIT + 1}`,
    });
    for (let i = 1; i <= TYPING_LIMIT + 1; i += 1) clientWs.send({ type: 'typing', is_typing: true });
    expect(await clientWs.next('error')).toMatchObject({ code: 'rate_limited' });
    await settle(clientWs, ownerWs);

    expect(clientWs.all('message')).toHaveLength(MESSAGE_LIMIT);
    expect(ownerWs.all('typing')).toHaveLength(TYPING_LIMIT);
    expect(await stored(conversation.id)).toHaveLength(MESSAGE_LIMIT);
  });

  it('should close the socket with 1009 on a frame over 64 KiB and store nothing', async () => {
    const { conversation, clientWs } = await chat();

    clientWs.send({ type: 'message', content: 'x'.repeat(64 * 1024), client_message_id: 'huge' });

    expect((await clientWs.closed()).code).toBe(1009);
    expect(await stored(conversation.id)).toEqual([]);
  });
});

function messageOf(
  frame: Frame,
): { id: string; seq: number; content: string; status: string } & Record<string, unknown> {
  return frame.data as { id: string; seq: number; content: string; status: string };
}
