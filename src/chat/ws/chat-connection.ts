import type { Socket } from 'node:net';
import { Logger } from '@nestjs/common';
import type WebSocket from 'ws';
import type { ConversationMembership } from '../chat-access';
import { otherPartyOf } from '../conversation-side';
import type { MessageView } from '../message.presenter';
import type { VerifiedIdentity } from '../ports/identity-verifier.port';
import type { RegisteredConnection } from './chat-connection-registry';
import { ChatCloseCode, isDroppable, type ServerFrame } from './chat-protocol';
import { OutgoingTextFrame } from './outgoing-text-frame';
import { corkUntilTickEnd } from './tick-cork';
import { tcpSocketOf } from './ws-tcp-socket';

const OPEN = 1;
/** Past this many buffered bytes, typing and presence frames are dropped. */
const SOFT_BUFFER_LIMIT = 256 * 1024;
/** Past this many, the socket cannot keep up: it is closed and the client resyncs with after_seq. */
const HARD_BUFFER_LIMIT = 4 * 1024 * 1024;
const REPLAY_PAGE_SIZE = 200;
/**
 * A live message past a gap waits this long for the missing ones: with several
 * instances they can arrive out of order. After that the database fills the gap.
 */
const GAP_WAIT_MS = 50;

/** What a connection needs from the chat services. */
export interface ConnectionServices {
  /** Messages with seq > afterSeq, oldest first. */
  listAfterSeq(conversationId: string, afterSeq: number, limit: number): Promise<MessageView[]>;
  /** The recipient's socket was handed these messages. */
  markDelivered(conversationId: string, recipientId: string, messageIds: string[]): Promise<void>;
}

/** What the handshake proved about a socket before the gateway saw it. */
export interface ChatHandshake {
  identity: VerifiedIdentity;
  membership: ConversationMembership;
  /** `?after_seq=N` on the URL: replay from there. */
  afterSeq: number | null;
}

/**
 * One open socket on one conversation: its identity (proved once, at the
 * handshake), its frame queue, its bounded send buffer, and the seq stream
 * that guarantees every message reaches it once, in order.
 */
export class ChatConnection implements RegisteredConnection {
  private static readonly logger = new Logger('ChatConnection');

  readonly userId: string;
  readonly conversationId: string;
  readonly otherUserId: string;
  readonly membership: ConversationMembership;
  tokenExpiresAt: Date | null;
  /** Cleared by each heartbeat ping, set by the pong. */
  isAlive = true;
  isTyping = false;

  /** Highest seq written to this socket. */
  private lastSeq = 0;
  /** Until startStream(), live messages wait in pendingLive. */
  private started = false;
  /** A `sync` frame that came before startStream(): the stream must start no later than this. */
  private startCeiling = Number.POSITIVE_INFINITY;
  private syncing = false;
  private resyncRequested = false;
  /** Live messages that cannot be written yet (a replay runs, or an earlier seq is missing). */
  private pendingLive: MessageView[] = [];
  private gapTimer: NodeJS.Timeout | null = null;
  private frameQueue: Promise<void> = Promise.resolve();
  /** Frames enqueued and not handled yet. */
  private queuedFrames = 0;
  private pendingDeliveries: string[] = [];
  private expiryTimer: NodeJS.Timeout | null = null;
  /** The newest version of the other party's presence this socket was sent; -1 before any. */
  private otherPresenceVersion = -1;
  /**
   * Where frames are written, encoded, past ws.send; null sends through ws. Only a
   * socket with no extension negotiated takes its frames as they are (the gateway
   * turns compression off), and ws writes its own frames (pings, close) to the same
   * TCP socket in call order, so the byte stream stays well formed.
   */
  private readonly tcp: Socket | null;

  constructor(
    readonly socket: WebSocket,
    handshake: ChatHandshake,
    private readonly services: ConnectionServices,
  ) {
    this.userId = handshake.identity.userId;
    this.tokenExpiresAt = handshake.identity.expiresAt;
    this.membership = handshake.membership;
    this.conversationId = handshake.membership.conversation.id;
    this.otherUserId = otherPartyOf(handshake.membership.conversation, handshake.membership.side);
    this.tcp = socket.extensions === '' ? tcpSocketOf(socket) : null;
  }

  get isOpen(): boolean {
    return this.socket.readyState === OPEN;
  }

  /** Sends a frame, honouring the slow-consumer policy; returns whether it was written. */
  send(frame: ServerFrame): boolean {
    return this.sendFrame(new OutgoingTextFrame(JSON.stringify(frame)), isDroppable(frame));
  }

  /** Sends a frame serialised once for a whole fan-out. */
  sendFrame(frame: OutgoingTextFrame, droppable: boolean): boolean {
    if (!this.isOpen) return false;
    const buffered = this.socket.bufferedAmount;
    if (droppable && buffered > SOFT_BUFFER_LIMIT) return false;
    if (buffered > HARD_BUFFER_LIMIT) {
      this.close(ChatCloseCode.SlowConsumer, 'Too slow: reconnect with after_seq');
      return false;
    }
    corkUntilTickEnd(this.socket);
    if (this.tcp) this.tcp.write(frame.bytes);
    else this.socket.send(frame.json);
    return true;
  }

  /**
   * Whether the other party's presence at this version is newer than any this
   * socket was sent; remembers it. The snapshot sent on connect reads the
   * database, where a transition is written before it is announced, so the
   * snapshot and the announcement of the same transition can both come, in
   * either order: the same or an older one is not sent again.
   */
  acceptsPresence(version: number): boolean {
    if (version <= this.otherPresenceVersion) return false;
    this.otherPresenceVersion = version;
    return true;
  }

  close(code: ChatCloseCode, reason: string): void {
    if (this.socket.readyState <= OPEN) this.socket.close(code, reason);
  }

  /** Runs frame handlers one at a time, in arrival order. */
  enqueue(task: () => Promise<void>): void {
    this.queuedFrames += 1;
    this.frameQueue = this.frameQueue.then(task).then(
      () => {
        this.queuedFrames -= 1;
      },
      (error: unknown) => {
        this.queuedFrames -= 1;
        ChatConnection.logger.error({ err: error }, 'Frame handler failed');
      },
    );
  }

  /** Whether every frame received so far has been handled: one handled now overtakes none. */
  get isIdle(): boolean {
    return this.queuedFrames === 0;
  }

  /** Resolves when every frame received so far has been handled. */
  idle(): Promise<void> {
    return this.frameQueue;
  }

  /** Starts the message stream after `seq`: replays what is stored, then continues live. */
  startStream(afterSeq: number): void {
    this.lastSeq = Math.min(afterSeq, this.startCeiling);
    this.started = true;
    this.resync();
  }

  /** The `sync` frame: replay from `afterSeq` again, then continue live. */
  restartStream(afterSeq: number): void {
    if (!this.started) {
      this.startCeiling = Math.min(this.startCeiling, afterSeq);
      return;
    }
    // Past what this socket was sent, the stream is already where it must be: never skip ahead.
    this.lastSeq = Math.min(afterSeq, this.lastSeq);
    this.resync();
  }

  /** Messages may have been missed (events lost between instances): catch up from the database. */
  catchUp(): void {
    if (this.started) this.resync();
  }

  /** A message committed in this conversation: written once, in seq order, never skipping one. */
  deliverLive(message: MessageView, frame: OutgoingTextFrame): void {
    if (!this.started || this.syncing) {
      this.pendingLive.push(message);
      return;
    }
    if (message.seq <= this.lastSeq) return;
    if (message.seq === this.lastSeq + 1) {
      this.writeMessage(message, frame);
      if (this.pendingLive.length > 0) this.writeContiguousPending();
      return;
    }
    // A gap: an earlier message is not here yet. Give it a moment, then read the database.
    this.pendingLive.push(message);
    this.gapTimer ??= setTimeout(() => {
      this.gapTimer = null;
      this.resync();
    }, GAP_WAIT_MS);
  }

  scheduleExpiry(onExpired: () => void): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = null;
    if (!this.tokenExpiresAt) return;
    const delay = Math.max(0, this.tokenExpiresAt.getTime() - Date.now());
    // setTimeout cannot wait longer than ~24.8 days; such tokens are re-checked then.
    this.expiryTimer = setTimeout(onExpired, Math.min(delay, 2_147_483_647));
    this.expiryTimer.unref();
  }

  dispose(): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = null;
    this.clearGapTimer();
    this.pendingLive = [];
  }

  /** Writes the pending messages that now follow on; stops at the next gap. */
  private writeContiguousPending(): void {
    this.pendingLive.sort((a, b) => a.seq - b.seq);
    let index = 0;
    for (; index < this.pendingLive.length; index += 1) {
      const message = this.pendingLive[index];
      if (message.seq <= this.lastSeq) continue;
      if (message.seq !== this.lastSeq + 1) break;
      this.writeMessage(message, outgoingMessageFrame(message));
    }
    this.pendingLive = this.pendingLive.slice(index);
    if (this.pendingLive.length === 0) this.clearGapTimer();
  }

  private clearGapTimer(): void {
    if (this.gapTimer) clearTimeout(this.gapTimer);
    this.gapTimer = null;
  }

  private resync(): void {
    if (this.syncing) {
      this.resyncRequested = true;
      return;
    }
    this.clearGapTimer();
    this.syncing = true;
    void this.replay().catch((error: unknown) => {
      ChatConnection.logger.error({ err: error }, 'Message replay failed; closing so the client resyncs');
      this.syncing = false;
      this.close(ChatCloseCode.SlowConsumer, 'Resync failed: reconnect with after_seq');
    });
  }

  private async replay(): Promise<void> {
    do {
      this.resyncRequested = false;
      let page: MessageView[];
      do {
        page = await this.services.listAfterSeq(this.conversationId, this.lastSeq, REPLAY_PAGE_SIZE);
        for (const message of page) {
          if (!this.isOpen) return;
          if (message.seq > this.lastSeq) this.writeMessage(message, outgoingMessageFrame(message));
        }
      } while (page.length === REPLAY_PAGE_SIZE);
      // Live messages that arrived meanwhile: in order from here, or fetch again on a gap.
      const pending = this.pendingLive.sort((a, b) => a.seq - b.seq);
      this.pendingLive = [];
      for (const message of pending) {
        if (message.seq <= this.lastSeq) continue;
        if (message.seq !== this.lastSeq + 1) {
          this.resyncRequested = true;
          break;
        }
        this.writeMessage(message, outgoingMessageFrame(message));
      }
    } while (this.resyncRequested && this.isOpen);
    this.syncing = false;
  }

  private writeMessage(message: MessageView, frame: OutgoingTextFrame): void {
    if (!this.sendFrame(frame, false)) return;
    this.lastSeq = message.seq;
    if (message.sender_user_id !== this.userId && message.status === 'sent') {
      this.queueDelivery(message.id);
    }
  }

  private queueDelivery(messageId: string): void {
    this.pendingDeliveries.push(messageId);
    if (this.pendingDeliveries.length > 1) return;
    // One UPDATE for every message written in this tick.
    queueMicrotask(() => {
      const ids = this.pendingDeliveries;
      this.pendingDeliveries = [];
      this.services.markDelivered(this.conversationId, this.userId, ids).catch((error: unknown) => {
        ChatConnection.logger.error({ err: error }, 'Could not record delivery');
      });
    });
  }
}

export function messageFrame(message: MessageView): ServerFrame {
  return {
    type: 'message',
    conversation_id: message.conversation_id,
    data: message,
    timestamp: new Date().toISOString(),
  };
}

export function outgoingMessageFrame(message: MessageView): OutgoingTextFrame {
  return new OutgoingTextFrame(JSON.stringify(messageFrame(message)));
}
