import type { ChatErrorCode } from '../../src/chat/wire/chat-error-code';
import type { MessageWire, SendMessageWire } from '../../src/chat/wire/rest-wire';

/** pending: not yet acknowledged by the server; sent: stored; then delivered and read; failed: refused. */
export type SendState = 'pending' | 'sent' | 'delivered' | 'read' | 'failed';

/** One message the app sent through a connection, as the SDK tracks it. */
export interface OutgoingMessage {
  client_message_id: string;
  request: SendMessageWire & { client_message_id: string };
  state: SendState;
  /** The stored message, once acknowledged. */
  message?: MessageWire;
  /** Why the server refused it (state 'failed'). */
  failure?: { code: ChatErrorCode | string; message: string };
  queued_at: string;
}

/** Persistence for unacknowledged sends, e.g. `localStorage` (its getItem/setItem fit). */
export interface OutboxStore {
  get(key: string): string | null | undefined | Promise<string | null | undefined>;
  set(key: string, value: string): void | Promise<void>;
}

/** Thrown (as the rejection of send()) when the server refuses a message. */
export class ParleySendError extends Error {
  override readonly name = 'ParleySendError';

  constructor(
    readonly code: ChatErrorCode | string,
    message: string,
    readonly clientMessageId: string,
  ) {
    super(message);
  }
}

interface Waiter {
  resolve: (message: MessageWire) => void;
  reject: (error: Error) => void;
}

/** Settled messages kept for delivered/read ticks; older ones are forgotten. */
const SETTLED_KEPT = 500;
const ORDER: Record<SendState, number> = { pending: 0, sent: 1, delivered: 2, read: 3, failed: 4 };

/**
 * The messages a connection has sent: unacknowledged ones in send order (persisted through the
 * optional store, so a reload resends them with the same client_message_id), and the states of
 * acknowledged ones.
 */
export class Outbox {
  private readonly items = new Map<string, OutgoingMessage>();
  private readonly waiters = new Map<string, Waiter>();
  private readonly byMessageId = new Map<string, string>();
  private persisting: Promise<void> = Promise.resolve();

  constructor(
    private readonly key: string,
    private readonly store: OutboxStore | undefined,
    private readonly onChange: (item: OutgoingMessage) => void,
  ) {}

  /** Adds the store's unacknowledged messages (from an earlier page load) ahead of new ones. */
  async load(): Promise<void> {
    if (!this.store) return;
    const saved = await this.store.get(this.key);
    if (!saved) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(saved);
    } catch {
      return;
    }
    if (!Array.isArray(parsed)) return;
    const current = [...this.items.entries()];
    this.items.clear();
    for (const item of parsed as OutgoingMessage[]) {
      if (item && typeof item.client_message_id === 'string' && item.state === 'pending') {
        this.items.set(item.client_message_id, item);
      }
    }
    for (const [id, item] of current) this.items.set(id, item);
  }

  add(request: SendMessageWire & { client_message_id: string }): Promise<MessageWire> {
    const id = request.client_message_id;
    const existing = this.items.get(id);
    if (existing?.message) return Promise.resolve(existing.message);
    const item: OutgoingMessage = existing ?? {
      client_message_id: id,
      request,
      state: 'pending',
      queued_at: new Date().toISOString(),
    };
    if (existing?.state === 'failed') {
      item.state = 'pending';
      delete item.failure;
    }
    this.items.set(id, item);
    const settled = new Promise<MessageWire>((resolve, reject) => {
      const previous = this.waiters.get(id);
      this.waiters.set(id, {
        resolve: (message) => {
          previous?.resolve(message);
          resolve(message);
        },
        reject: (error) => {
          previous?.reject(error);
          reject(error);
        },
      });
    });
    this.persist();
    this.onChange(item);
    return settled;
  }

  get(clientMessageId: string): OutgoingMessage | undefined {
    return this.items.get(clientMessageId);
  }

  /** Unacknowledged messages, oldest first: what to (re)send once the socket is open. */
  pending(): OutgoingMessage[] {
    return [...this.items.values()].filter((item) => item.state === 'pending');
  }

  all(): OutgoingMessage[] {
    return [...this.items.values()];
  }

  /** A stored message came back (echo, retry answer or replay): settles its send if it is ours. */
  acknowledge(message: MessageWire): void {
    const id = message.client_message_id;
    if (id === null) return;
    const item = this.items.get(id);
    if (!item) return;
    const wasPending = item.state === 'pending' || item.state === 'failed';
    item.message = message;
    this.byMessageId.set(message.id, id);
    if (wasPending) {
      item.state = message.status;
      delete item.failure;
      this.waiters.get(id)?.resolve(message);
      this.waiters.delete(id);
      this.persist();
      this.onChange(item);
      this.prune();
    } else {
      this.advance(item, message.status);
    }
  }

  fail(clientMessageId: string, code: ChatErrorCode | string, reason: string): void {
    const item = this.items.get(clientMessageId);
    if (!item || item.state !== 'pending') return;
    item.state = 'failed';
    item.failure = { code, message: reason };
    this.waiters.get(clientMessageId)?.reject(new ParleySendError(code, reason, clientMessageId));
    this.waiters.delete(clientMessageId);
    this.persist();
    this.onChange(item);
  }

  /** The connection closed for good: unsettled sends reject, but stay stored for a later connection. */
  abandon(reason: string): void {
    for (const [id, waiter] of this.waiters) {
      waiter.reject(new ParleySendError('connection_closed', reason, id));
    }
    this.waiters.clear();
  }

  delivered(messageId: string): void {
    const id = this.byMessageId.get(messageId);
    const item = id === undefined ? undefined : this.items.get(id);
    if (item) this.advance(item, 'delivered');
  }

  /** The other party read everything up to seq. */
  readUpTo(seq: number): void {
    for (const item of this.items.values()) {
      if (item.message && item.message.seq <= seq) this.advance(item, 'read');
    }
  }

  private advance(item: OutgoingMessage, state: 'sent' | 'delivered' | 'read'): void {
    if (item.state === 'pending' || item.state === 'failed' || ORDER[state] <= ORDER[item.state]) return;
    item.state = state;
    this.onChange(item);
  }

  private prune(): void {
    const settled = [...this.items.values()].filter((item) => item.state !== 'pending');
    for (const item of settled.slice(0, Math.max(0, settled.length - SETTLED_KEPT))) {
      this.items.delete(item.client_message_id);
      if (item.message) this.byMessageId.delete(item.message.id);
    }
  }

  /** Writes the unacknowledged messages, one write after another so the last one wins. */
  private persist(): void {
    const store = this.store;
    if (!store) return;
    const snapshot = JSON.stringify(this.pending());
    this.persisting = this.persisting.then(() => store.set(this.key, snapshot)).catch(() => undefined);
  }
}
