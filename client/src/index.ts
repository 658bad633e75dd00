export { ParleyClient } from './parley-client';
export type { ParleyClientOptions, ListConversationsParams, ListMessagesParams } from './parley-client';
export { ConversationConnection, ParleyConnectionError } from './conversation-connection';
export type {
  ConnectOptions,
  ConnectionEvents,
  ConnectionState,
  SendOptions,
} from './conversation-connection';
export { ParleyApiError } from './parley-api-error';
export { ParleySendError } from './outbox';
export type { OutboxStore, OutgoingMessage, SendState } from './outbox';
export { Backoff } from './backoff';
export type { BackoffOptions } from './backoff';
export type { FetchLike, WebSocketConstructor, WebSocketLike } from './transport';
export { ChatCloseCode, CLIENT_FRAME_TYPES } from '../../src/chat/wire/chat-frames';
export type * from '../../src/chat/wire/chat-frames';
export { ChatErrorCode } from '../../src/chat/wire/chat-error-code';
export type * from '../../src/chat/wire/rest-wire';
