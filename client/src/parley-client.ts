import type {
  ChatErrorBodyWire,
  ConversationDetailWire,
  ConversationListItemWire,
  ConversationNotificationsRequestWire,
  ConversationNotificationsWire,
  ConversationWire,
  DeviceWire,
  MessageWire,
  ReadResultWire,
  RegisterDeviceWire,
  SendMessageWire,
  UnreadCountWire,
} from '../../src/chat/wire/rest-wire';
import type { BackoffOptions } from './backoff';
import { ConversationConnection, type ConnectOptions } from './conversation-connection';
import type { OutboxStore } from './outbox';
import { ParleyApiError } from './parley-api-error';
import { type FetchLike, type WebSocketConstructor, globals } from './transport';

export interface ParleyClientOptions {
  /** The server's origin, e.g. `https://chat.example.com` (http(s); the socket URL is derived). */
  baseUrl: string;
  /** Called before every request and every (re)connect: return a current access token. */
  getToken: () => Promise<string> | string;
  /** Default: the global WebSocket. In Node: `{ WebSocket: require('ws') }`. */
  WebSocket?: WebSocketConstructor;
  /** Default: the global fetch. */
  fetch?: FetchLike;
  /** Reconnect delays. Default: 0.5 s doubling to 30 s, with jitter. */
  reconnect?: BackoffOptions;
  /** Persistence for unacknowledged sends (e.g. localStorage); default: memory only. */
  store?: OutboxStore;
  /**
   * Send a fresh token over the socket this long before the current one expires (at most a
   * quarter of its remaining life). Default 30 000; false: never (the server's 4401 at expiry
   * then leads to a reconnect with a fresh token).
   */
  refreshTokenBeforeMs?: number | false;
}

export interface ListConversationsParams {
  skip?: number;
  limit?: number;
  /** true: include conversations archived on your side. */
  archived?: boolean;
}

export interface ListMessagesParams {
  limit?: number;
  /** Messages older than this message id or ISO-8601 timestamp (newest first). */
  before?: string;
  /** Messages newer than this message id or ISO-8601 timestamp (oldest first). */
  after?: string;
  /** Messages with seq greater than this (oldest first). */
  after_seq?: number;
  /** Messages with seq less than this (newest first). */
  before_seq?: number;
}

type Query = Record<string, string | number | boolean | undefined>;

/** Parley's chat API: typed REST calls, and `connect()` for a conversation's live socket. */
export class ParleyClient {
  private readonly baseUrl: string;
  private readonly fetchImpl: FetchLike;

  constructor(readonly options: ParleyClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    const fetchImpl = options.fetch ?? globals.fetch?.bind(globalThis);
    if (!fetchImpl) throw new Error('ParleyClient: no global fetch; pass options.fetch');
    this.fetchImpl = fetchImpl;
  }

  /** Opens the conversation's socket; it reconnects by itself until close(). */
  connect(conversationId: string, options: ConnectOptions = {}): ConversationConnection {
    const WebSocketImpl = this.options.WebSocket ?? globals.WebSocket;
    if (!WebSocketImpl) throw new Error('ParleyClient: no global WebSocket; pass options.WebSocket');
    const connection = new ConversationConnection({
      url: `${this.baseUrl.replace(/^http/, 'ws')}/v1/ws/chat/${encodeURIComponent(conversationId)}`,
      conversationId,
      getToken: this.options.getToken,
      WebSocket: WebSocketImpl,
      reconnect: this.options.reconnect,
      store: this.options.store,
      refreshTokenBeforeMs: this.options.refreshTokenBeforeMs,
      ...options,
    });
    connection.open();
    return connection;
  }

  /** Starts (201) or returns (200) the caller's conversation about a listing; the caller is the client. */
  createConversation(listingId: string): Promise<ConversationWire> {
    return this.request('POST', '/v1/chat/conversations', { body: { listing_id: listingId } });
  }

  listConversations(params: ListConversationsParams = {}): Promise<ConversationListItemWire[]> {
    return this.request('GET', '/v1/chat/conversations', { query: { ...params } });
  }

  getConversation(conversationId: string): Promise<ConversationDetailWire> {
    return this.request('GET', `/v1/chat/conversations/${encodeURIComponent(conversationId)}`);
  }

  /** Marks the other party's messages read. */
  markConversationRead(conversationId: string): Promise<ReadResultWire> {
    return this.request('PATCH', `/v1/chat/conversations/${encodeURIComponent(conversationId)}/read`);
  }

  archiveConversation(conversationId: string, archived = true): Promise<ConversationWire> {
    return this.request('PATCH', `/v1/chat/conversations/${encodeURIComponent(conversationId)}/archive`, {
      body: { archived },
    });
  }

  listMessages(conversationId: string, params: ListMessagesParams = {}): Promise<MessageWire[]> {
    return this.request('GET', `/v1/chat/conversations/${encodeURIComponent(conversationId)}/messages`, {
      query: { ...params },
    });
  }

  /** Over REST; a retried `client_message_id` answers the original message. */
  sendMessage(conversationId: string, message: SendMessageWire): Promise<MessageWire> {
    return this.request('POST', `/v1/chat/conversations/${encodeURIComponent(conversationId)}/messages`, {
      body: message,
    });
  }

  /** Soft-deletes one of your own messages. */
  deleteMessage(messageId: string): Promise<MessageWire> {
    return this.request('DELETE', `/v1/chat/messages/${encodeURIComponent(messageId)}`);
  }

  /** Marks that message and the earlier ones read. */
  markMessageRead(messageId: string): Promise<ReadResultWire> {
    return this.request('PATCH', `/v1/chat/messages/${encodeURIComponent(messageId)}/read`);
  }

  unreadCount(conversationId?: string): Promise<UnreadCountWire> {
    return this.request('GET', '/v1/chat/unread-count', { query: { conversation_id: conversationId } });
  }

  registerDevice(device: RegisterDeviceWire): Promise<DeviceWire> {
    return this.request('POST', '/v1/chat/devices', { body: device });
  }

  listDevices(): Promise<DeviceWire[]> {
    return this.request('GET', '/v1/chat/devices');
  }

  async deleteDevice(deviceId: string): Promise<void> {
    await this.request<unknown>('DELETE', `/v1/chat/devices/${encodeURIComponent(deviceId)}`);
  }

  /** Mutes or unmutes push notifications for the caller's side of a conversation. */
  setConversationNotifications(
    conversationId: string,
    settings: ConversationNotificationsRequestWire,
  ): Promise<ConversationNotificationsWire> {
    return this.request(
      'PATCH',
      `/v1/chat/conversations/${encodeURIComponent(conversationId)}/notifications`,
      { body: settings },
    );
  }

  private async request<T>(
    method: string,
    path: string,
    { query, body }: { query?: Query; body?: unknown } = {},
  ): Promise<T> {
    const token = await this.options.getToken();
    const search = Object.entries(query ?? {})
      .filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined)
      .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`)
      .join('&');
    const headers: Record<string, string> = { Authorization: `Bearer ${token}`, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await this.fetchImpl(`${this.baseUrl}${path}${search ? `?${search}` : ''}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    if (!response.ok) throw apiError(response.status, text);
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

function apiError(status: number, text: string): ParleyApiError {
  try {
    const body = JSON.parse(text) as Partial<ChatErrorBodyWire>;
    if (typeof body.code === 'string' && typeof body.message === 'string') {
      return new ParleyApiError(status, body.code, body.message, body.correlation_id);
    }
  } catch {
    // Not JSON: a proxy's error page, say.
  }
  return new ParleyApiError(status, 'http_error', `HTTP ${status}${text ? `: ${text.slice(0, 200)}` : ''}`);
}
