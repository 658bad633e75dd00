import type { ClientFrame, ServerFrame } from '../../src/chat/wire/chat-frames';
import type { MessageWire } from '../../src/chat/wire/rest-wire';
import { ConversationConnection, type ConnectionState } from './conversation-connection';
import type { WebSocketLike } from './transport';

class FakeSocket implements WebSocketLike {
  static all: FakeSocket[] = [];
  readyState = 0;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  readonly sent: ClientFrame[] = [];

  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data) as ClientFrame);
  }

  close(): void {
    this.readyState = 3;
  }

  /** The server accepts: `connected` with the conversation's last seq. */
  accept(lastSeq: number): void {
    this.readyState = 1;
    this.receive({
      type: 'connected',
      conversation_id: 'c',
      user_id: 'me',
      last_seq: lastSeq,
      server_time: '',
    });
  }

  receive(frame: ServerFrame): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }

  message(seq: number, clientMessageId: string | null = null, sender = 'other'): void {
    this.receive({
      type: 'message',
      conversation_id: 'c',
      data: message(seq, clientMessageId, sender),
      timestamp: '',
    });
  }

  drop(code: number, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }

  frames(type: ClientFrame['type']): ClientFrame[] {
    return this.sent.filter((frame) => frame.type === type);
  }
}

function message(seq: number, clientMessageId: string | null, sender: string): MessageWire {
  return {
    id: `id-${seq}`,
    conversation_id: 'c',
    sender_user_id: sender,
    seq,
    client_message_id: clientMessageId,
    message_type: 'text',
    content: `m${seq}`,
    media_url: null,
    status: 'sent',
    read_at: null,
    delivered_at: null,
    created_at: '',
    updated_at: '',
    is_deleted: false,
  };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe(ConversationConnection.name, () => {
  let tokens: number;
  let sut: ConversationConnection;
  let delivered: number[];
  let states: ConnectionState[];

  function connect(options: Partial<ConstructorParameters<typeof ConversationConnection>[0]> = {}): void {
    sut = new ConversationConnection({
      url: 'ws://server/v1/ws/chat/c',
      conversationId: 'c',
      getToken: () => `token-${++tokens}`,
      WebSocket: FakeSocket,
      reconnect: { initialMs: 10, maxMs: 20 },
      ...options,
    });
    sut.on('message', (m) => delivered.push(m.seq));
    sut.on('state', (state) => states.push(state));
    sut.open();
  }

  const latest = (): FakeSocket => FakeSocket.all[FakeSocket.all.length - 1];

  beforeEach(() => {
    FakeSocket.all = [];
    tokens = 0;
    delivered = [];
    states = [];
  });

  afterEach(() => sut.close());

  it('should deliver each message once and in order, asking for a sync on a gap', async () => {
    connect();
    await settle();
    latest().accept(2);

    latest().message(3);
    latest().message(5);
    latest().message(3);
    expect(latest().frames('sync')).toEqual([{ type: 'sync', after_seq: 3 }]);
    latest().message(4);
    latest().message(5);
    latest().message(6);

    expect(delivered).toEqual([3, 4, 5, 6]);
  });

  it('should reconnect with after_seq of the newest delivered message and a fresh token', async () => {
    connect();
    await settle();
    latest().accept(0);
    latest().message(1);
    latest().message(2);

    latest().drop(1006);
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect(FakeSocket.all).toHaveLength(2);
    expect(latest().url).toBe('ws://server/v1/ws/chat/c?token=token-2&after_seq=2');
    expect(states).toEqual(['open', 'reconnecting']);
    latest().accept(2);
    expect(states).toEqual(['open', 'reconnecting', 'open']);
  });

  it('should queue sends while disconnected and resend them with the same client_message_id until stored', async () => {
    connect();
    await settle();
    const first = sut.send('hello', { clientMessageId: 'cm-1' });
    expect(sut.outgoing()).toMatchObject([{ client_message_id: 'cm-1', state: 'pending' }]);

    latest().accept(0);
    expect(latest().frames('message')).toEqual([
      { type: 'message', content: 'hello', client_message_id: 'cm-1' },
    ]);
    latest().drop(1001);
    await new Promise((resolve) => setTimeout(resolve, 50));
    latest().accept(0);
    expect(latest().frames('message')).toEqual([
      { type: 'message', content: 'hello', client_message_id: 'cm-1' },
    ]);
    latest().message(1, 'cm-1', 'me');

    await expect(first).resolves.toMatchObject({ seq: 1 });
    expect(sut.outgoing()).toMatchObject([{ client_message_id: 'cm-1', state: 'sent' }]);
  });

  it('should fail a send that the server refuses with an error frame', async () => {
    connect();
    await settle();
    latest().accept(0);
    const sent = sut.send('x'.repeat(10), { clientMessageId: 'cm-2' });

    latest().receive({
      type: 'error',
      conversation_id: 'c',
      code: 'rate_limited' as never,
      message: 'Too many messages: slow down',
      timestamp: '',
      client_message_id: 'cm-2',
    });

    await expect(sent).rejects.toMatchObject({ code: 'rate_limited' });
    expect(sut.outgoing()).toMatchObject([{ state: 'failed', failure: { code: 'rate_limited' } }]);
  });

  it.each([4400, 4403, 4404])('should stop for good on close code %i', async (code) => {
    const errors: unknown[] = [];
    connect();
    sut.on('error', (error) => errors.push(error));
    await settle();

    latest().drop(code, 'final');
    await new Promise((resolve) => setTimeout(resolve, 50));

    expect(sut.state).toBe('closed');
    expect(FakeSocket.all).toHaveLength(1);
    expect(errors).toEqual([expect.objectContaining({ code: 'closed', closeCode: code })]);
  });

  it('should reconnect after 4401 with a fresh token, but give up after three in a row', async () => {
    connect();
    await settle();
    latest().accept(0);
    latest().drop(4401);
    await settle();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(latest().url).toContain('token=token-2');
    latest().accept(0);

    for (let i = 0; i < 3; i += 1) {
      latest().drop(4401);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    expect(sut.state).toBe('closed');
    expect(FakeSocket.all).toHaveLength(4);
  });

  it('should mark sent messages delivered and then read by the other party', async () => {
    connect();
    await settle();
    latest().accept(0);
    void sut.send('hi', { clientMessageId: 'cm-3' });
    latest().message(1, 'cm-3', 'me');

    latest().receive({
      type: 'delivery_receipt',
      conversation_id: 'c',
      message_id: 'id-1',
      delivered_at: '',
    });
    expect(sut.outgoing()[0].state).toBe('delivered');
    latest().receive({
      type: 'read_receipt',
      conversation_id: 'c',
      message_id: 'id-1',
      read_by: 'other',
      read_at: '',
      last_read_seq: 1,
    });

    expect(sut.outgoing()[0].state).toBe('read');
  });

  it('should ping while open and reconnect when nothing arrives for two heartbeat periods', async () => {
    connect({ heartbeatMs: 20 });
    await settle();
    latest().accept(0);

    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(latest().frames('ping').length).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 60));

    expect(FakeSocket.all.length).toBeGreaterThan(1);
    expect(FakeSocket.all[0].readyState).toBe(3);
  });

  it("should drop the socket on the browser's offline event, queue sends, and redial at once when online", async () => {
    const browserWindow = new EventTarget();
    (globalThis as { window?: EventTarget }).window = browserWindow;
    try {
      connect({ reconnect: { initialMs: 60_000, maxMs: 60_000 } });
      await settle();
      latest().accept(0);

      browserWindow.dispatchEvent(new Event('offline'));
      expect(states.at(-1)).toBe('reconnecting');
      expect(FakeSocket.all[0].readyState).toBe(3);
      const sent = sut.send('while offline', { clientMessageId: 'offline-1' });
      expect(sut.outgoing()[0].state).toBe('pending');
      expect(FakeSocket.all[0].frames('message')).toEqual([]);

      browserWindow.dispatchEvent(new Event('online'));
      await settle();
      expect(FakeSocket.all).toHaveLength(2);
      latest().accept(0);
      expect(latest().frames('message')).toEqual([
        expect.objectContaining({ content: 'while offline', client_message_id: 'offline-1' }),
      ]);
      latest().message(1, 'offline-1', 'me');
      await expect(sent).resolves.toMatchObject({ seq: 1 });
    } finally {
      delete (globalThis as { window?: EventTarget }).window;
    }
  });
});
