import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import {
  type ConnectionState,
  type ConversationConnection,
  type MessageWire,
  ParleyApiError,
  ParleyClient,
  type ParleyClientOptions,
  type WebSocketConstructor,
} from '../client/src';
import { ChatFactory, type TestUser } from './factories/chat-factory';
import { accessToken } from './utils/chat-sockets';
import { ParleyProcess, stopAllParleyProcesses } from './utils/parley-process';

jest.setTimeout(90_000);

/** The `ws` WebSocket, counting the sockets opened and the close codes seen. */
function countingWebSocket(): {
  WebSocket: WebSocketConstructor;
  opened: () => number;
  closeCodes: number[];
} {
  let opened = 0;
  const closeCodes: number[] = [];
  class Counting extends WebSocket {
    constructor(url: string) {
      super(url);
      opened += 1;
      this.addEventListener('close', (event) => closeCodes.push(event.code));
    }
  }
  return { WebSocket: Counting as unknown as WebSocketConstructor, opened: () => opened, closeCodes };
}

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(25);
  }
}

function waitForState(
  connection: ConversationConnection,
  state: ConnectionState,
  timeoutMs = 15_000,
): Promise<void> {
  return until(() => connection.state === state, `state ${state}`, timeoutMs);
}

/** Every message of the conversation through REST, oldest first. */
async function allMessages(client: ParleyClient, conversationId: string): Promise<MessageWire[]> {
  const all: MessageWire[] = [];
  for (;;) {
    const page = await client.listMessages(conversationId, { after_seq: all.at(-1)?.seq ?? 0, limit: 100 });
    all.push(...page);
    if (page.length < 100) return all;
  }
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, index) => from + index);
}

/** The SDK (client/) against the real server as a process of its own, killed and restarted at will. */
describe('client SDK against the real server (e2e)', () => {
  let server: ParleyProcess;
  let factory: ChatFactory;
  const connections: ConversationConnection[] = [];

  beforeAll(async () => {
    server = await ParleyProcess.start({ name: 'client-sdk', env: { WS_MESSAGE_RATE_LIMIT: '10000' } });
    factory = new ChatFactory(server.http);
  }, 90_000);

  afterEach(() => {
    for (const connection of connections.splice(0)) connection.close();
  });

  afterAll(async () => {
    await stopAllParleyProcesses();
  });

  function sdk(user: TestUser | (() => string), options: Partial<ParleyClientOptions> = {}): ParleyClient {
    return new ParleyClient({
      baseUrl: server.baseUrl,
      getToken: typeof user === 'function' ? user : () => user.token,
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      reconnect: { initialMs: 100, maxMs: 1_000 },
      ...options,
    });
  }

  function connect(client: ParleyClient, conversationId: string): ConversationConnection {
    const connection = client.connect(conversationId);
    connections.push(connection);
    return connection;
  }

  it('should lose and duplicate nothing when the server is killed and restarted while a client keeps sending', async () => {
    const { client, owner, conversation } = await factory.pair();
    const sender = connect(sdk(client), conversation.id);
    const ownerSdk = sdk(owner);
    const receiver = connect(ownerSdk, conversation.id);
    const received: MessageWire[] = [];
    receiver.on('message', (message) => received.push(message));
    await Promise.all([waitForState(sender, 'open'), waitForState(receiver, 'open')]);

    const total = 60;
    const sends: { content: string; whileDown: boolean; result: Promise<MessageWire> }[] = [];
    const sending = (async () => {
      for (let i = 0; i < total; i += 1) {
        const content = `message ${i}`;
        const result = sender.send(content);
        result.catch(() => undefined); // asserted below
        sends.push({ content, whileDown: sender.state !== 'open', result });
        await sleep(50);
      }
    })();
    await sleep(700);
    await server.kill('SIGKILL');
    await sleep(800);
    await server.restart();
    await sending;

    const stored = await Promise.all(sends.map((send) => send.result));
    await until(() => received.length >= total, `the owner to receive ${total} messages`);
    await sleep(300);
    const history = await allMessages(ownerSdk, conversation.id);

    expect(sends.filter((send) => send.whileDown).length).toBeGreaterThan(0);
    expect(sender.connectAttempts).toBeGreaterThan(1);
    expect(received.map((message) => message.seq)).toEqual(range(1, total));
    expect(received.map((message) => message.content)).toEqual(sends.map((send) => send.content));
    expect(history.map((message) => message.seq)).toEqual(range(1, total));
    expect(new Set(history.map((message) => message.client_message_id)).size).toBe(total);
    expect(new Set(history.map((message) => message.content)).size).toBe(total);
    const historyById = new Map(history.map((message) => [message.id, message]));
    for (const [index, message] of stored.entries()) {
      expect(historyById.get(message.id)).toMatchObject({ content: sends[index].content, seq: message.seq });
    }
    expect(sender.outgoing().filter((item) => item.state === 'pending')).toEqual([]);
  });

  it('should keep a session past token expiry by sending auth frames, without losing a message', async () => {
    const { client, owner, conversation } = await factory.pair();
    let tokensIssued = 0;
    const counting = countingWebSocket();
    const sender = connect(
      sdk(
        () => {
          tokensIssued += 1;
          return accessToken(client.id, 3);
        },
        { WebSocket: counting.WebSocket },
      ),
      conversation.id,
    );
    const receiver = connect(sdk(owner), conversation.id);
    const received: MessageWire[] = [];
    receiver.on('message', (message) => received.push(message));
    await Promise.all([waitForState(sender, 'open'), waitForState(receiver, 'open')]);

    const results: Promise<MessageWire>[] = [];
    const startedAt = Date.now();
    for (let i = 0; Date.now() - startedAt < 8_000; i += 1) {
      results.push(sender.send(`tick ${i}`));
      await sleep(200);
    }
    await Promise.all(results);
    await until(() => received.length >= results.length, 'the owner to receive every tick');

    expect(tokensIssued).toBeGreaterThanOrEqual(3);
    expect(counting.opened()).toBe(1);
    expect(counting.closeCodes).toEqual([]);
    expect(received.map((message) => message.seq)).toEqual(range(1, results.length));
  });

  it('should reconnect with a fresh token after a 4401 and lose nothing', async () => {
    const { client, owner, conversation } = await factory.pair();
    let tokensIssued = 0;
    const counting = countingWebSocket();
    const sender = connect(
      sdk(
        () => {
          tokensIssued += 1;
          return accessToken(client.id, 2);
        },
        // No auth frames: the server closes with 4401 when the token expires.
        { WebSocket: counting.WebSocket, refreshTokenBeforeMs: false },
      ),
      conversation.id,
    );
    const states: ConnectionState[] = [];
    sender.on('state', (state) => states.push(state));
    const receiver = connect(sdk(owner), conversation.id);
    const received: MessageWire[] = [];
    receiver.on('message', (message) => received.push(message));
    await Promise.all([waitForState(sender, 'open'), waitForState(receiver, 'open')]);

    await sender.send('before expiry');
    await until(() => counting.closeCodes.includes(4401), 'the server to close with 4401', 5_000);
    const during = sender.send('around the reconnect');
    await waitForState(sender, 'open');
    await during;
    await sender.send('after the reconnect');
    await until(() => received.length >= 3, 'the owner to receive three messages');

    expect(counting.closeCodes[0]).toBe(4401);
    expect(counting.opened()).toBeGreaterThanOrEqual(2);
    expect(tokensIssued).toBeGreaterThanOrEqual(2);
    expect(states.slice(0, 3)).toEqual(['open', 'reconnecting', 'open']);
    expect(received.map((message) => message.content)).toEqual([
      'before expiry',
      'around the reconnect',
      'after the reconnect',
    ]);
  });

  it.each([
    ['4404 for a conversation the user is not in', 4404, 'member'],
    ['4404 for a conversation that does not exist', 4404, 'missing'],
    ['4400 for a malformed conversation id', 4400, 'malformed'],
  ] as const)('should end in state closed without a reconnect loop on %s', async (_title, code, kind) => {
    const { conversation } = await factory.pair();
    const stranger = await factory.user('Stranger');
    const counting = countingWebSocket();
    const conversationId =
      kind === 'member' ? conversation.id : kind === 'missing' ? randomUUID() : 'not-a-uuid';
    const connection = connect(sdk(stranger, { WebSocket: counting.WebSocket }), conversationId);
    const errors: unknown[] = [];
    connection.on('error', (error) => errors.push(error));
    // Settled into a value at once: the rejection comes before the assertion.
    const sent = connection.send('never stored').then(
      () => 'stored',
      (error: unknown) => error,
    );

    await waitForState(connection, 'closed');
    await sleep(1_500);

    expect(counting.opened()).toBe(1);
    expect(counting.closeCodes).toEqual([code]);
    expect(errors).toEqual([expect.objectContaining({ code: 'closed', closeCode: code })]);
    expect(await sent).toMatchObject({ name: 'ParleySendError', code: 'connection_closed' });
  });

  it('should give up after repeated 4401 when getToken keeps giving rejected tokens', async () => {
    const { client, conversation } = await factory.pair();
    const counting = countingWebSocket();
    const connection = connect(
      sdk(() => accessToken(client.id, -60), { WebSocket: counting.WebSocket }),
      conversation.id,
    );

    await waitForState(connection, 'closed');
    await sleep(1_000);

    expect(counting.closeCodes).toEqual([4401, 4401, 4401]);
    expect(counting.opened()).toBe(3);
  });

  it('should call the REST endpoints with typed results and throw ParleyApiError with the server code', async () => {
    const [client, owner] = await Promise.all([factory.user('Clara'), factory.user('Omar')]);
    const listing = await factory.listing(owner);
    const clientSdk = sdk(client);
    const ownerSdk = sdk(owner);

    const conversation = await clientSdk.createConversation(listing.id);
    const first = await clientSdk.sendMessage(conversation.id, {
      content: 'hola',
      client_message_id: 'rest-1',
    });
    const retried = await clientSdk.sendMessage(conversation.id, {
      content: 'hola',
      client_message_id: 'rest-1',
    });
    const unread = await ownerSdk.unreadCount();
    const list = await ownerSdk.listConversations();
    const detail = await ownerSdk.getConversation(conversation.id);
    const read = await ownerSdk.markConversationRead(conversation.id);
    const deleted = await clientSdk.deleteMessage(first.id);
    const archived = await clientSdk.archiveConversation(conversation.id);
    const muted = await clientSdk.setConversationNotifications(conversation.id, { muted: true });
    const devices = await clientSdk.listDevices();
    const missing = await clientSdk.getConversation(randomUUID()).catch((error: unknown) => error);
    const invalid = await clientSdk
      .sendMessage(conversation.id, { content: '   ' })
      .catch((error: unknown) => error);

    expect(retried.id).toBe(first.id);
    expect(unread).toEqual({ unread_count: 1, conversation_counts: { [conversation.id]: 1 } });
    expect(list).toEqual([expect.objectContaining({ id: conversation.id, unread_count: 1 })]);
    expect(detail.other_user_id).toBe(client.id);
    expect(read).toMatchObject({ conversation_id: conversation.id, last_read_seq: 1 });
    expect(deleted).toMatchObject({ id: first.id, is_deleted: true, content: null });
    expect(archived.archived_by_client).toBe(true);
    expect(muted).toMatchObject({ conversation_id: conversation.id, is_muted: true });
    expect(devices).toEqual([]);
    expect(missing).toBeInstanceOf(ParleyApiError);
    expect(missing).toMatchObject({ status: 404, code: 'not_found' });
    expect(invalid).toMatchObject({ status: 400, code: 'validation_failed' });
  });
});
