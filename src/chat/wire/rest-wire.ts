import type { ChatErrorCode } from './chat-error-code';

/**
 * JSON shapes of the chat REST API, shared by the server (its response DTOs implement these) and
 * the client SDK. Dependency-free on purpose: the SDK compiles this file into its own package.
 */

export type MessageTypeWire = 'text' | 'image' | 'document' | 'system';
export type MessageStatusWire = 'sent' | 'delivered' | 'read';
export type PushPlatformWire = 'webpush' | 'fcm' | 'apns';

/** A message as REST returns it and as `message` frames carry it in `data`. */
export interface MessageWire {
  id: string;
  conversation_id: string;
  sender_user_id: string;
  /** Gap-free position in the conversation (1, 2, 3, ...). */
  seq: number;
  client_message_id: string | null;
  message_type: MessageTypeWire;
  /** null once the message is deleted. */
  content: string | null;
  media_url: string | null;
  status: MessageStatusWire;
  read_at: string | null;
  delivered_at: string | null;
  created_at: string;
  updated_at: string;
  is_deleted: boolean;
}

/** Body of `POST /v1/chat/conversations/{id}/messages` and of the `message` WebSocket frame. */
export interface SendMessageWire {
  content: string;
  message_type?: MessageTypeWire;
  media_url?: string;
  client_message_id?: string;
}

export interface ConversationWire {
  id: string;
  listing_id: string;
  client_user_id: string;
  owner_user_id: string;
  created_at: string;
  updated_at: string;
  last_message_at: string | null;
  is_active: boolean;
  archived_by_client: boolean;
  archived_by_owner: boolean;
  /** seq of the newest message (0 when empty). */
  last_seq: number;
}

export interface ConversationDetailWire extends ConversationWire {
  other_user_id: string;
  other_user_name: string | null;
  other_user_picture: string | null;
}

export interface ConversationListItemWire extends ConversationDetailWire {
  other_user_online: boolean;
  listing_title: string | null;
  /** A decimal as a string. */
  listing_price: string | null;
  listing_currency: string | null;
  last_message_content: string | null;
  last_message_sender_id: string | null;
  unread_count: number;
  /** The caller's side. */
  is_archived: boolean;
  /** Push muted for the caller's side. */
  is_muted: boolean;
}

export interface ReadResultWire {
  conversation_id: string;
  messages_marked_read: number;
  last_read_seq: number;
  read_at: string | null;
}

export interface UnreadCountWire {
  unread_count: number;
  /** conversation id → unread messages (conversations with none are left out). */
  conversation_counts: Record<string, number>;
}

export interface DeviceWire {
  id: string;
  platform: PushPlatformWire;
  endpoint_host: string | null;
  app_id: string | null;
  locale: string | null;
  created_at: string;
  updated_at: string;
}

export interface RegisterDeviceWire {
  platform: PushPlatformWire;
  /** FCM registration token or APNs device token; not for webpush. */
  token?: string;
  /** webpush only: the browser's `PushSubscription.toJSON()`. */
  subscription?: { endpoint: string; keys: { p256dh: string; auth: string } };
  app_id?: string;
  locale?: string;
}

export interface ConversationNotificationsRequestWire {
  muted: boolean;
  /** RFC 3339; absent with muted=true: until unmuted. */
  muted_until?: string;
}

export interface ConversationNotificationsWire {
  conversation_id: string;
  is_muted: boolean;
  muted_until: string | null;
}

/** JSON body of every chat error response. */
export interface ChatErrorBodyWire {
  statusCode: number;
  code: ChatErrorCode;
  message: string;
  /** Only on 500s. */
  correlation_id?: string;
}
