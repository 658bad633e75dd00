/** A registered device, as a sender needs it. */
export interface PushTarget {
  /** chat.push_devices id. */
  deviceId: string;
  platform: PushPlatform;
  /** FCM registration token or APNs device token; the endpoint URL for Web Push. */
  token: string;
  /** Web Push subscription keys (base64url). */
  keys?: { p256dh: string; auth: string };
  /** APNs topic / FCM app, when the client registered one. */
  appId?: string | null;
  locale?: string | null;
}

export type PushPlatform = 'webpush' | 'fcm' | 'apns';

/** What a device shows. Built once per outbox row; never carries tokens. */
export interface PushNotificationContent {
  title: string;
  body: string;
  /** Replaces an earlier notification of the same conversation on the device. */
  collapseKey: string;
  /** The recipient's total unread count. */
  badge: number;
  /** App data: conversation_id, message_id, seq, count, listing_id, sender_user_id (all strings). */
  data: Record<string, string>;
  /** Seconds the push service may hold the push for an offline device. */
  ttlSeconds: number;
}

export type PushResult =
  | { outcome: 'sent' }
  /** Transient (network, 5xx, 429): try again later, after `retryAfterMs` when the service said so. */
  | { outcome: 'retry'; error: string; retryAfterMs?: number }
  /** The device is gone for good (unregistered, bad token): remove it. */
  | { outcome: 'gone'; error: string }
  /** Permanent for this notification (bad request): do not retry. */
  | { outcome: 'failed'; error: string };

/**
 * Port: sends one notification to one device of one platform. Parley ships Web
 * Push, FCM and APNs senders and a log sender; a host app can provide its own
 * (e.g. its existing notification service) for any platform.
 * Implementations must not throw for delivery failures: they classify them.
 */
export interface PushSender {
  readonly platform: PushPlatform;
  send(target: PushTarget, content: PushNotificationContent): Promise<PushResult>;
  /** Releases connections at shutdown. */
  close?(): Promise<void>;
}
