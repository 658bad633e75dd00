import type WebSocket from 'ws';
import type { ConversationMembership } from '../chat-access';
import type { Conversation } from '../entities/conversation.entity';
import type { MessageView } from '../message.presenter';
import { ChatConnection, type ConnectionServices, outgoingMessageFrame } from './chat-connection';
import { encodeTextFrame } from './outgoing-text-frame';

/** How long a live message past a gap waits for the missing ones (GAP_WAIT_MS in chat-connection.ts). */
const GAP_WAIT_MS = 50;
const CONVERSATION_ID = '11111111-1111-4111-8111-111111111111';
const ME = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const OTHER = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';

function message(seq: number, sender = OTHER): MessageView {
  return {
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    conversation_id: CONVERSATION_ID,
    sender_user_id: sender,
    seq,
    client_message_id: null,
    message_type: 'text',
    content: `message ${seq}`,
    media_url: null,
    status: 'sent',
    read_at: null,
    delivered_at: null,
    created_at: new Date(0).toISOString(),
    updated_at: new Date(0).toISOString(),
    is_deleted: false,
  };
}

class FakeSocket {
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: string[] = [];
  closedWith: number | null = null;
  send(json: string): void {
    this.sent.push(json);
  }
  close(code: number): void {
    this.closedWith = code;
    this.readyState = 3;
  }
  seqs(): number[] {
    return this.sent
      .map((json) => JSON.parse(json) as { type: string; data?: MessageView })
      .filter((frame) => frame.type === 'message')
      .map((frame) => frame.data!.seq);
  }
}

/** A database stand-in: the stored messages, and a way to hold a replay query open. */
class FakeStore implements ConnectionServices {
  stored: MessageView[] = [];
  delivered: string[][] = [];
  /** The `afterSeq` of every read, in call order. */
  readonly reads: number[] = [];
  private gate: Promise<void> = Promise.resolve();
  private open: () => void = () => undefined;

  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }
  release(): void {
    this.open();
  }
  async listAfterSeq(_conversationId: string, afterSeq: number, limit: number): Promise<MessageView[]> {
    this.reads.push(afterSeq);
    await this.gate;
    return this.stored.filter((m) => m.seq > afterSeq).slice(0, limit);
  }
  markDelivered(_conversationId: string, _recipientId: string, messageIds: string[]): Promise<void> {
    this.delivered.push(messageIds);
    return Promise.resolve();
  }
}

function connectionOn(socket: FakeSocket, store: ConnectionServices = new FakeStore()): ChatConnection {
  const conversation = { id: CONVERSATION_ID, clientUserId: ME, ownerUserId: OTHER } as Conversation;
  const membership: ConversationMembership = { conversation, side: 'client' };
  return new ChatConnection(
    socket as unknown as WebSocket,
    { identity: { userId: ME, expiresAt: null }, membership, afterSeq: null },
    store,
  );
}

function setUp(): { sut: ChatConnection; socket: FakeSocket; store: FakeStore } {
  const socket = new FakeSocket();
  const store = new FakeStore();
  return { sut: connectionOn(socket, store), socket, store };
}

const live = (sut: ChatConnection, m: MessageView): void => sut.deliverLive(m, outgoingMessageFrame(m));
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe(ChatConnection.name, () => {
  // Only the gap timer is driven by hand; promises, setImmediate and microtasks run for real.
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['setImmediate', 'queueMicrotask', 'nextTick'] }));
  afterEach(() => jest.useRealTimers());

  it('should replay stored messages after the given seq, then continue live', async () => {
    const { sut, socket, store } = setUp();
    store.stored = [1, 2, 3].map((seq) => message(seq));
    sut.startStream(1);
    await settle();
    live(sut, message(4));
    expect(socket.seqs()).toEqual([2, 3, 4]);
  });

  it('should buffer live messages during a replay and send each once, in order', async () => {
    const { sut, socket, store } = setUp();
    store.stored = [1, 2, 3].map((seq) => message(seq));
    store.hold();
    sut.startStream(0);
    store.stored.push(message(4));
    live(sut, message(3));
    live(sut, message(4));
    store.release();
    await settle();
    expect(socket.seqs()).toEqual([1, 2, 3, 4]);
  });

  it('should drop a duplicate and fill a gap from the store', async () => {
    const { sut, socket, store } = setUp();
    sut.startStream(0);
    await settle();
    store.stored = [1, 2, 3].map((seq) => message(seq));
    live(sut, message(1));
    live(sut, message(1));
    live(sut, message(3));
    jest.advanceTimersByTime(GAP_WAIT_MS);
    await settle();
    expect(socket.seqs()).toEqual([1, 2, 3]);
  });

  it("should accept the other party's presence only at a version newer than any it was sent", () => {
    const { sut } = setUp();

    expect(sut.acceptsPresence(0)).toBe(true); // a snapshot of a user never seen online
    expect(sut.acceptsPresence(2_000)).toBe(true);
    expect(sut.acceptsPresence(2_000)).toBe(false); // the same transition, announced after the snapshot read it
    expect(sut.acceptsPresence(1_500)).toBe(false);
    expect(sut.acceptsPresence(3_000)).toBe(true);
  });

  it('should record delivery of the other party messages only, once per tick', async () => {
    const { sut, store } = setUp();
    sut.startStream(0);
    await settle();
    live(sut, message(1));
    live(sut, message(2, ME));
    live(sut, message(3));
    await settle();
    expect(store.delivered).toEqual([[message(1).id, message(3).id]]);
  });

  it('should write frames, encoded, straight to the TCP socket of a socket with no extension, and through ws otherwise', () => {
    const pong = { type: 'pong', conversation_id: CONVERSATION_ID, timestamp: '' } as const;
    const written: Buffer[] = [];
    const tcp = { writableCorked: 1, write: (chunk: Buffer) => written.push(chunk) };
    const plain = Object.assign(new FakeSocket(), { extensions: '', _socket: tcp });
    const compressed = Object.assign(new FakeSocket(), { extensions: 'permessage-deflate', _socket: tcp });

    connectionOn(plain).send(pong);
    connectionOn(compressed).send(pong);

    expect(written).toEqual([encodeTextFrame(JSON.stringify(pong))]);
    expect(plain.sent).toEqual([]);
    expect(compressed.sent).toEqual([JSON.stringify(pong)]);
  });

  it('should drop typing first and close a socket that cannot keep up with messages', async () => {
    const { sut, socket } = setUp();
    sut.startStream(0);
    await settle();
    socket.bufferedAmount = 512 * 1024;
    const typing = {
      type: 'typing',
      conversation_id: CONVERSATION_ID,
      user_id: OTHER,
      is_typing: true,
      timestamp: '',
    } as const;
    expect(sut.send(typing)).toBe(false);
    live(sut, message(1));
    expect(socket.seqs()).toEqual([1]);
    socket.bufferedAmount = 64 * 1024 * 1024;
    live(sut, message(2));
    expect(socket.closedWith).toBe(4408);
    expect(socket.seqs()).toEqual([1]);
  });

  describe('before startStream()', () => {
    it('should hold live messages and write them after the replay', async () => {
      const { sut, socket, store } = setUp();
      store.stored = [1, 2].map((seq) => message(seq));
      live(sut, message(3));
      live(sut, message(4));
      await settle();
      expect(socket.sent).toEqual([]);
      expect(store.reads).toEqual([]);

      sut.startStream(0);
      await settle();

      expect(socket.seqs()).toEqual([1, 2, 3, 4]);
    });

    it('should write a message once when it arrives both live and in the replay', async () => {
      const { sut, socket, store } = setUp();
      store.stored = [1, 2, 3].map((seq) => message(seq));
      live(sut, message(1));
      live(sut, message(3));
      live(sut, message(2));
      expect(socket.sent).toEqual([]);

      sut.startStream(0);
      await settle();
      live(sut, message(3));

      expect(socket.seqs()).toEqual([1, 2, 3]);
    });

    it('should start from an earlier `sync` seq than the handshake one', async () => {
      const { sut, socket, store } = setUp();
      store.stored = [1, 2, 3, 4].map((seq) => message(seq));
      sut.restartStream(1);
      await settle();
      expect(store.reads).toEqual([]);

      sut.startStream(3);
      await settle();

      expect(store.reads).toEqual([1]);
      expect(socket.seqs()).toEqual([2, 3, 4]);
    });

    it('should start from the earliest of several `sync` seqs', async () => {
      const { sut, socket, store } = setUp();
      store.stored = [1, 2, 3, 4, 5].map((seq) => message(seq));
      sut.restartStream(2);
      sut.restartStream(3);

      sut.startStream(4);
      await settle();

      expect(socket.seqs()).toEqual([3, 4, 5]);
    });

    it('should not skip ahead for a later `sync` seq than the handshake one', async () => {
      const { sut, socket, store } = setUp();
      store.stored = [1, 2, 3, 4].map((seq) => message(seq));
      sut.restartStream(3);

      sut.startStream(1);
      await settle();

      expect(socket.seqs()).toEqual([2, 3, 4]);
    });

    it('should ignore catchUp() until the stream starts', async () => {
      const { sut, socket, store } = setUp();
      store.stored = [message(1)];

      sut.catchUp();
      await settle();

      expect(store.reads).toEqual([]);
      expect(socket.sent).toEqual([]);
    });
  });

  describe('a gap in live messages', () => {
    async function started(): Promise<ReturnType<typeof setUp>> {
      const context = setUp();
      context.sut.startStream(0);
      await settle();
      context.store.reads.length = 0;
      return context;
    }

    it('should write out-of-order arrivals in seq order without reading the store', async () => {
      const { sut, socket, store } = await started();
      store.stored = [1, 2, 3, 4].map((seq) => message(seq));

      live(sut, message(1));
      live(sut, message(3));
      live(sut, message(4));
      expect(socket.seqs()).toEqual([1]);
      live(sut, message(2));
      jest.advanceTimersByTime(10 * GAP_WAIT_MS);
      await settle();

      expect(socket.seqs()).toEqual([1, 2, 3, 4]);
      expect(store.reads).toEqual([]);
    });

    it('should drop a duplicate without reading the store', async () => {
      const { sut, socket, store } = await started();
      store.stored = [message(1)];

      live(sut, message(1));
      live(sut, message(1));
      jest.advanceTimersByTime(10 * GAP_WAIT_MS);
      await settle();

      expect(socket.seqs()).toEqual([1]);
      expect(store.reads).toEqual([]);
    });

    it('should wait for the missing message before reading the store', async () => {
      const { sut, socket, store } = await started();
      store.stored = [1, 2, 3].map((seq) => message(seq));
      live(sut, message(1));
      live(sut, message(3));

      jest.advanceTimersByTime(GAP_WAIT_MS - 1);
      await settle();
      expect(store.reads).toEqual([]);
      expect(socket.seqs()).toEqual([1]);

      jest.advanceTimersByTime(1);
      await settle();
      expect(store.reads).toEqual([1]);
      expect(socket.seqs()).toEqual([1, 2, 3]);
    });

    it('should read the store once for several gaps within one wait', async () => {
      const { sut, socket, store } = await started();
      store.stored = [1, 2, 3, 4, 5].map((seq) => message(seq));
      live(sut, message(1));
      live(sut, message(3));
      live(sut, message(5));

      jest.advanceTimersByTime(GAP_WAIT_MS);
      await settle();

      expect(store.reads).toEqual([1]);
      expect(socket.seqs()).toEqual([1, 2, 3, 4, 5]);
    });

    it('should stop waiting once disposed', async () => {
      const { sut, socket, store } = await started();
      store.stored = [1, 2, 3].map((seq) => message(seq));
      live(sut, message(1));
      live(sut, message(3));

      sut.dispose();
      jest.advanceTimersByTime(10 * GAP_WAIT_MS);
      await settle();

      expect(jest.getTimerCount()).toBe(0);
      expect(store.reads).toEqual([]);
      expect(socket.seqs()).toEqual([1]);
    });
  });

  describe('catchUp()', () => {
    it('should read the store from the last written seq', async () => {
      const { sut, socket, store } = setUp();
      store.stored = [1, 2].map((seq) => message(seq));
      sut.startStream(0);
      await settle();
      live(sut, message(3));
      store.stored.push(message(3), message(4), message(5));

      sut.catchUp();
      await settle();

      expect(store.reads).toEqual([0, 3]);
      expect(socket.seqs()).toEqual([1, 2, 3, 4, 5]);
    });

    it('should read again after a replay already running', async () => {
      const { sut, socket, store } = setUp();
      store.stored = [1, 2].map((seq) => message(seq));
      store.hold();
      sut.startStream(0);
      store.stored.push(message(3));

      sut.catchUp();
      store.release();
      await settle();

      expect(store.reads).toEqual([0, 3]);
      expect(socket.seqs()).toEqual([1, 2, 3]);
    });
  });
});
