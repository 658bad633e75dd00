import type { ChatErrorCode } from './chat-error-code';
import type { MessageWire, SendMessageWire } from './rest-wire';

/**
 * The WebSocket wire protocol of /v1/ws/chat/{conversation_id}, defined once.
 * Client frames are JSON text `{type, ...}`; every server frame carries
 * `conversation_id`.
 */

/** Close codes a browser can read (4xxx are sent after accepting the upgrade). */
export enum ChatCloseCode {
  /** Server shutting down or restarting: reconnect (to another instance) with after_seq. */
  GoingAway = 1001,
  /** A frame over the size limit. */
  MessageTooBig = 1009,
  /** The conversation id in the URL is not a UUID, or after_seq is malformed: final. */
  BadRequest = 4400,
  /** Missing, invalid or expired token: get a fresh token, then reconnect. */
  Unauthorized = 4401,
  /** Origin not allowed: final. */
  Forbidden = 4403,
  /** No such conversation, or not a member (the same code, so existence does not leak): final. */
  NotFound = 4404,
  /** Too slow to keep up: reconnect with after_seq to resync. */
  SlowConsumer = 4408,
}

export const CLIENT_FRAME_TYPES = ['message', 'typing', 'read', 'ping', 'sync', 'auth'] as const;
export type ClientFrameType = (typeof CLIENT_FRAME_TYPES)[number];

export interface ConnectedFrame {
  type: 'connected';
  conversation_id: string;
  user_id: string;
  last_seq: number;
  server_time: string;
}

export interface MessageFrame {
  type: 'message';
  conversation_id: string;
  data: MessageWire;
  timestamp: string;
}

export interface MessageDeletedFrame {
  type: 'message_deleted';
  conversation_id: string;
  message_id: string;
  seq: number;
  timestamp: string;
}

export interface TypingFrame {
  type: 'typing';
  conversation_id: string;
  user_id: string;
  is_typing: boolean;
  timestamp: string;
}

export interface PresenceFrame {
  type: 'presence';
  conversation_id: string;
  user_id: string;
  is_online: boolean;
  last_seen_at: string | null;
}

export interface ReadReceiptFrame {
  type: 'read_receipt';
  conversation_id: string;
  message_id: string;
  read_by: string;
  read_at: string;
  last_read_seq: number;
}

export interface DeliveryReceiptFrame {
  type: 'delivery_receipt';
  conversation_id: string;
  message_id: string;
  delivered_at: string;
}

export interface PongFrame {
  type: 'pong';
  conversation_id: string;
  timestamp: string;
}

export interface AuthenticatedFrame {
  type: 'authenticated';
  conversation_id: string;
  expires_at: string | null;
}

export interface ErrorFrame {
  type: 'error';
  conversation_id: string;
  code: ChatErrorCode;
  message: string;
  timestamp: string;
  client_message_id?: string;
}

export type ServerFrame =
  | ConnectedFrame
  | MessageFrame
  | MessageDeletedFrame
  | TypingFrame
  | PresenceFrame
  | ReadReceiptFrame
  | DeliveryReceiptFrame
  | PongFrame
  | AuthenticatedFrame
  | ErrorFrame;

/** `{type: "message", ...}`: the REST body's fields; the echo of the stored message is its acknowledgement. */
export interface MessageClientFrameWire extends SendMessageWire {
  type: 'message';
}

export interface TypingClientFrameWire {
  type: 'typing';
  is_typing: boolean;
}

/** Marks that message (or seq) and the earlier ones read. */
export type ReadClientFrameWire = { type: 'read'; message_id: string } | { type: 'read'; seq: number };

/** Replay everything after that seq, then continue live. */
export interface SyncClientFrameWire {
  type: 'sync';
  after_seq: number;
}

/** A fresh token for the same user extends the socket's life. */
export interface AuthClientFrameWire {
  type: 'auth';
  token: string;
}

export interface PingClientFrameWire {
  type: 'ping';
}

export type ClientFrame =
  | MessageClientFrameWire
  | TypingClientFrameWire
  | ReadClientFrameWire
  | SyncClientFrameWire
  | AuthClientFrameWire
  | PingClientFrameWire;
