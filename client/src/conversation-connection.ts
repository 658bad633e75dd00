import type { ChatErrorCode } from '../../src/chat/wire/chat-error-code';
import {
  ChatCloseCode,
  type ClientFrame,
  type DeliveryReceiptFrame,
  type MessageDeletedFrame,
  type PresenceFrame,
  type ReadReceiptFrame,
  type ServerFrame,
  type TypingFrame,
} from '../../src/chat/wire/chat-frames';
import type { MessageTypeWire, MessageWire } from '../../src/chat/wire/rest-wire';
import { Backoff, type BackoffOptions } from './backoff';
import { TypedEmitter } from './emitter';
import { tokenExpiresAt } from './jwt';
import { Outbox, type OutboxStore, type OutgoingMessage, ParleySendError } from './outbox';
import { WS_OPEN, type WebSocketConstructor, type WebSocketLike, globals, randomId } from './transport';
import { ReadDebouncer, TypingThrottle, type TypingThrottleOptions } from './typing-throttle';

/** connecting: first attempt; open: `connected` received; reconnecting: waiting or retrying; closed: final. */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** A problem on the socket: a server error frame, a final close, or a failing getToken(). */
export class ParleyConnectionError extends Error {
  override readonly name = 'ParleyConnectionError';

  constructor(
    /** The error frame's code; 'closed' for a final close; 'token' when getToken() failed. */
    readonly code: ChatErrorCode | 'closed' | 'token',
    message: string,
    /** The WebSocket close code, for code 'closed'. */
    readonly closeCode?: number,
  ) {
    super(message);
  }
}

export interface ConnectionEvents {
  /** Every message of the conversation (yours included), each once, in seq order. */
  message: MessageWire;
  message_deleted: MessageDeletedFrame;
  typing: TypingFrame;
  presence: PresenceFrame;
  read_receipt: ReadReceiptFrame;
  delivery_receipt: DeliveryReceiptFrame;
  state: ConnectionState;
  /** A message you sent changed state: pending, sent, delivered, read or failed. */
  send_state: OutgoingMessage;
  error: ParleyConnectionError;
}

export interface ConnectOptions {
  /**
   * Replay the messages after this seq on the first connect (e.g. the newest one the app shows).
   * Default: only messages from now on.
   */
  afterSeq?: number;
  typing?: TypingThrottleOptions;
  /** One `read` frame per this quiet period. Default 500 ms. */
  readDebounceMs?: number;
  /**
   * Send a `ping` this often and reconnect when nothing at all arrived for two periods: a network
   * that vanished without closing the TCP connection. Default 25 000; 0: never.
   */
  heartbeatMs?: number;
  /** Give up (state 'closed') after this many 4401 closes in a row without an open. Default 3. */
  maxUnauthorizedCloses?: number;
}

export interface SendOptions {
  /** Default: a random UUID. Reuse one to make a retry of your own idempotent. */
  clientMessageId?: string;
  messageType?: Exclude<MessageTypeWire, 'system'>;
  mediaUrl?: string;
}

/** @internal What ParleyClient.connect() passes. */
export interface ConnectionConfig extends ConnectOptions {
  url: string;
  conversationId: string;
  getToken: () => Promise<string> | string;
  WebSocket: WebSocketConstructor;
  reconnect?: BackoffOptions;
  store?: OutboxStore;
  refreshTokenBeforeMs?: number | false;
}

type Timer = ReturnType<typeof setTimeout>;

const FINAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  ChatCloseCode.BadRequest,
  ChatCloseCode.Forbidden,
  ChatCloseCode.NotFound,
]);
const DEFAULT_REFRESH_BEFORE_MS = 30_000;

/**
 * One conversation's live socket. Reconnects forever (backoff with jitter, reset once open),
 * resumes with `after_seq` so the app gets every message once and in order, and resends
 * unacknowledged messages with their client_message_id until the server stores them.
 */
export class ConversationConnection extends TypedEmitter<ConnectionEvents> {
  readonly conversationId: string;
  private currentState: ConnectionState = 'connecting';
  private socket: WebSocketLike | undefined;
  private connected = false;
  private seq: number | undefined;
  private readonly early = new Map<number, MessageWire>();
  private syncRequestedAfter: number | undefined;
  private readonly backoff: Backoff;
  private reconnectTimer: Timer | undefined;
  private refreshTimer: Timer | undefined;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  private lastFrameAt = 0;
  private token = '';
  private unauthorizedCloses = 0;
  private closing = false;
  private me: string | undefined;
  private attempts = 0;
  private readonly outbox: Outbox;
  private outboxLoaded = false;
  private readonly sentOnSocket = new Set<string>();
  private readonly typingThrottle: TypingThrottle;
  private readonly reads: ReadDebouncer;
  private readonly unhook: (() => void)[] = [];

  constructor(private readonly config: ConnectionConfig) {
    super();
    this.conversationId = config.conversationId;
    this.seq = config.afterSeq;
    this.backoff = new Backoff(config.reconnect);
    this.outbox = new Outbox(`parley:outbox:${config.conversationId}`, config.store, (item) =>
      this.emit('send_state', { ...item }),
    );
    this.typingThrottle = new TypingThrottle(
      (isTyping) => this.write({ type: 'typing', is_typing: isTyping }),
      config.typing,
    );
    this.reads = new ReadDebouncer((seq) => this.write({ type: 'read', seq }), config.readDebounceMs ?? 500);
  }

  get state(): ConnectionState {
    return this.currentState;
  }

  /** The highest seq delivered to the app (undefined before the first open). */
  get lastSeq(): number | undefined {
    return this.seq;
  }

  /** The caller's user id, from the server's `connected` frame. */
  get userId(): string | undefined {
    return this.me;
  }

  /** Sockets opened so far (first connect and reconnects). */
  get connectAttempts(): number {
    return this.attempts;
  }

  /** The messages sent through this connection and their states, unacknowledged ones included. */
  outgoing(): OutgoingMessage[] {
    return this.outbox.all().map((item) => ({ ...item }));
  }

  /** @internal Called once by ParleyClient.connect(). */
  open(): void {
    this.hookBrowserEvents();
    this.outbox.load().then(
      () => this.afterOutboxLoaded(),
      () => this.afterOutboxLoaded(),
    );
    void this.dial();
  }

  /**
   * Sends a text (or media) message. Resolves with the stored message once the server echoes it;
   * while disconnected it waits in the outbox and is resent with the same client_message_id after
   * each reconnect until stored. Rejects with ParleySendError if the server refuses it.
   */
  send(content: string, options: SendOptions = {}): Promise<MessageWire> {
    const clientMessageId = options.clientMessageId ?? randomId();
    if (this.isClosed()) {
      return Promise.reject(
        new ParleySendError('connection_closed', 'The connection is closed: connect again', clientMessageId),
      );
    }
    this.typingThrottle.stop();
    const settled = this.outbox.add({
      content,
      client_message_id: clientMessageId,
      ...(options.messageType ? { message_type: options.messageType } : {}),
      ...(options.mediaUrl ? { media_url: options.mediaUrl } : {}),
    });
    const item = this.outbox.get(clientMessageId);
    if (item?.state === 'pending') this.transmit(item);
    return settled;
  }

  /** Call on each keystroke: at most one `typing: true` per few seconds, `false` once idle. */
  typing(): void {
    this.typingThrottle.keystroke();
  }

  /** The user stopped typing (cleared the input, left the page). */
  stopTyping(): void {
    this.typingThrottle.stop();
  }

  /** Marks messages up to seq read (default: the newest delivered), debounced into one `read` frame. */
  markRead(seq: number | undefined = this.seq): void {
    if (seq !== undefined && seq > 0) this.reads.mark(seq);
  }

  /** Closes for good. Unacknowledged messages stay in the store for the next connection. */
  close(): void {
    if (this.currentState === 'closed') return;
    this.closing = true;
    const socket = this.socket;
    this.teardownSocket();
    socket?.close(1000, 'Client closed');
    this.finish();
  }

  private finish(error?: ParleyConnectionError): void {
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.reads.dispose();
    this.typingThrottle.reset();
    for (const unhook of this.unhook.splice(0)) unhook();
    this.setState('closed');
    if (error) this.emit('error', error);
    this.outbox.abandon(error?.message ?? 'The connection was closed');
  }

  private async dial(): Promise<void> {
    this.reconnectTimer = undefined;
    if (this.currentState === 'closed') return;
    this.attempts += 1;
    let token: string;
    try {
      token = await this.config.getToken();
    } catch (error) {
      this.emit('error', new ParleyConnectionError('token', `getToken() failed: ${String(error)}`));
      this.scheduleReconnect(this.backoff.next());
      return;
    }
    // close() may have run while getToken() was pending.
    if (this.isClosed()) return;
    this.token = token;
    const query = [`token=${encodeURIComponent(token)}`];
    if (this.seq !== undefined) query.push(`after_seq=${this.seq}`);
    let socket: WebSocketLike;
    try {
      socket = new this.config.WebSocket(`${this.config.url}?${query.join('&')}`);
    } catch (error) {
      this.emit('error', new ParleyConnectionError('closed', `Cannot open the socket: ${String(error)}`));
      this.scheduleReconnect(this.backoff.next());
      return;
    }
    this.socket = socket;
    socket.onmessage = (event) => {
      if (socket === this.socket) this.onFrame(event.data);
    };
    socket.onclose = (event) => {
      if (socket === this.socket) this.onClose(event.code, event.reason);
    };
    socket.onerror = () => undefined; // a close event follows
  }

  private onFrame(data: unknown): void {
    this.lastFrameAt = Date.now();
    let frame: ServerFrame;
    try {
      frame = JSON.parse(typeof data === 'string' ? data : String(data)) as ServerFrame;
    } catch {
      return;
    }
    switch (frame.type) {
      case 'connected':
        return this.onConnected(frame.user_id, frame.last_seq);
      case 'message':
        return this.onMessage(frame.data);
      case 'message_deleted':
        return this.emit('message_deleted', frame);
      case 'typing':
        return this.emit('typing', frame);
      case 'presence':
        return this.emit('presence', frame);
      case 'read_receipt':
        if (frame.read_by !== this.me) this.outbox.readUpTo(frame.last_read_seq);
        return this.emit('read_receipt', frame);
      case 'delivery_receipt':
        this.outbox.delivered(frame.message_id);
        return this.emit('delivery_receipt', frame);
      case 'authenticated':
        return this.scheduleTokenRefresh();
      case 'error':
        if (frame.client_message_id !== undefined && this.outbox.get(frame.client_message_id)) {
          this.outbox.fail(frame.client_message_id, frame.code, frame.message);
          return;
        }
        return this.emit('error', new ParleyConnectionError(frame.code, frame.message));
      case 'pong':
        return;
    }
  }

  private onConnected(userId: string, lastSeq: number): void {
    this.connected = true;
    this.me = userId;
    this.seq ??= lastSeq;
    this.backoff.reset();
    this.unauthorizedCloses = 0;
    this.setState('open');
    this.scheduleTokenRefresh();
    this.startHeartbeat();
    this.reads.flush();
    if (this.outboxLoaded) this.flushOutbox();
  }

  private onMessage(message: MessageWire): void {
    // Echo, retry answer or replay of one of ours: settles its send even if a gap precedes it.
    this.outbox.acknowledge(message);
    if (this.seq === undefined || message.seq <= this.seq) return;
    if (message.seq === this.seq + 1) {
      this.deliver(message);
      let next: MessageWire | undefined;
      while ((next = this.early.get(this.seq + 1)) !== undefined) {
        this.early.delete(next.seq);
        this.deliver(next);
      }
      return;
    }
    // A gap: hold this one and ask for what is missing; duplicates of the replay are dropped above.
    this.early.set(message.seq, message);
    if (this.syncRequestedAfter !== this.seq) {
      this.syncRequestedAfter = this.seq;
      this.write({ type: 'sync', after_seq: this.seq });
    }
  }

  private deliver(message: MessageWire): void {
    this.seq = message.seq;
    this.emit('message', message);
  }

  private onClose(code: number, reason: string): void {
    this.teardownSocket();
    if (this.closing) return;
    if (FINAL_CLOSE_CODES.has(code)) {
      this.finish(new ParleyConnectionError('closed', `Closed by the server: ${code} ${reason}`, code));
      return;
    }
    if (code === Number(ChatCloseCode.Unauthorized)) {
      this.unauthorizedCloses += 1;
      if (this.unauthorizedCloses >= (this.config.maxUnauthorizedCloses ?? 3)) {
        this.finish(
          new ParleyConnectionError(
            'closed',
            `Closed by the server: ${code} ${reason} (${this.unauthorizedCloses} times in a row; getToken() gives no accepted token)`,
            code,
          ),
        );
        return;
      }
      // The first one is an expired token: retry at once with a fresh one.
      this.scheduleReconnect(this.unauthorizedCloses === 1 ? 0 : this.backoff.next());
      return;
    }
    // 1001 (restart or deploy), 4408 (too slow), 1006 (network): resume with after_seq.
    this.scheduleReconnect(this.backoff.next());
  }

  private teardownSocket(): void {
    const socket = this.socket;
    if (socket) {
      socket.onmessage = null;
      socket.onclose = null;
      socket.onopen = null;
    }
    this.socket = undefined;
    this.connected = false;
    this.sentOnSocket.clear();
    this.early.clear();
    this.syncRequestedAfter = undefined;
    this.typingThrottle.reset();
    if (this.refreshTimer !== undefined) clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
    if (this.heartbeatTimer !== undefined) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  private startHeartbeat(): void {
    const periodMs = this.config.heartbeatMs ?? 25_000;
    if (periodMs <= 0) return;
    this.lastFrameAt = Date.now();
    if (this.heartbeatTimer !== undefined) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = setInterval(() => {
      if (Date.now() - this.lastFrameAt < 2 * periodMs) {
        this.write({ type: 'ping' });
        return;
      }
      // Silent for two periods: the socket is dead even if it looks open. Resume on a new one.
      this.dropSocket('Heartbeat timeout', 0);
    }, periodMs);
  }

  /** Gives up on the current socket (dead or about to be) and resumes on a new one after delayMs. */
  private dropSocket(reason: string, delayMs: number): void {
    const socket = this.socket;
    this.teardownSocket();
    socket?.close(4000, reason);
    this.scheduleReconnect(delayMs);
  }

  private scheduleReconnect(delayMs: number): void {
    if (this.currentState === 'closed') return;
    this.setState('reconnecting');
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => void this.dial(), delayMs);
  }

  /** Browsers: back online or back to the tab: skip the rest of the backoff. */
  private reconnectNow = (): void => {
    if (this.currentState !== 'reconnecting' || this.reconnectTimer === undefined) return;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    void this.dial();
  };

  private hookBrowserEvents(): void {
    const { window, document } = globals;
    if (typeof window === 'undefined' || typeof window.addEventListener !== 'function') return;
    const onVisibility = (): void => {
      if (document?.visibilityState === 'visible') this.reconnectNow();
    };
    // The browser lost its network: the socket may look open for a long while (until the
    // heartbeat gives up), so queue sends from now on and reconnect, at once on 'online'.
    const onOffline = (): void => {
      if (this.socket && !this.closing && !this.isClosed())
        this.dropSocket('Browser offline', this.backoff.next());
    };
    window.addEventListener('online', this.reconnectNow);
    window.addEventListener('offline', onOffline);
    document?.addEventListener('visibilitychange', onVisibility);
    this.unhook.push(
      () => window.removeEventListener('online', this.reconnectNow),
      () => window.removeEventListener('offline', onOffline),
      () => document?.removeEventListener('visibilitychange', onVisibility),
    );
  }

  private afterOutboxLoaded(): void {
    this.outboxLoaded = true;
    for (const item of this.outbox.pending()) this.emit('send_state', { ...item });
    if (this.connected) this.flushOutbox();
  }

  private flushOutbox(): void {
    for (const item of this.outbox.pending()) this.transmit(item);
  }

  /** Once per socket: the server answers every message frame (echo or error) while the socket lives. */
  private transmit(item: OutgoingMessage): void {
    if (!this.outboxLoaded || this.sentOnSocket.has(item.client_message_id)) return;
    if (this.write({ type: 'message', ...item.request })) this.sentOnSocket.add(item.client_message_id);
  }

  private write(frame: ClientFrame): boolean {
    const socket = this.socket;
    if (!socket || !this.connected || socket.readyState !== WS_OPEN) return false;
    try {
      socket.send(JSON.stringify(frame));
      return true;
    } catch {
      return false;
    }
  }

  /** Sends an `auth` frame with a fresh token shortly before the current one expires. */
  private scheduleTokenRefresh(): void {
    if (this.refreshTimer !== undefined) clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
    const before = this.config.refreshTokenBeforeMs ?? DEFAULT_REFRESH_BEFORE_MS;
    const expiresAt = tokenExpiresAt(this.token);
    if (before === false || expiresAt === undefined) return;
    const remaining = expiresAt - Date.now();
    const delay = Math.max(0, remaining - Math.min(before, remaining / 4));
    this.refreshTimer = setTimeout(() => void this.refreshToken(expiresAt), Math.min(delay, 2_147_483_647));
  }

  private async refreshToken(expiresAt: number): Promise<void> {
    this.refreshTimer = undefined;
    let token: string;
    try {
      token = await this.config.getToken();
    } catch (error) {
      this.emit('error', new ParleyConnectionError('token', `getToken() failed: ${String(error)}`));
      return;
    }
    // The same (or an older) token: nothing to extend; the server's 4401 at expiry leads to a reconnect.
    if ((tokenExpiresAt(token) ?? 0) <= expiresAt) return;
    this.token = token;
    this.write({ type: 'auth', token });
  }

  private isClosed(): boolean {
    return this.currentState === 'closed';
  }

  private setState(state: ConnectionState): void {
    if (this.currentState === state) return;
    this.currentState = state;
    this.emit('state', state);
  }
}
