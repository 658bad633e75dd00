import { createECDH, type ECDH, randomBytes } from 'node:crypto';
import { decrypt } from 'http_ece';

/** What a browser's `PushSubscription.toJSON()` gives, and what `POST /v1/chat/devices` takes. */
export interface WebPushSubscriptionJson {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

/**
 * A real Web Push subscription, as a browser would create one: a P-256 key pair
 * and a 16-byte auth secret. Keeps the private half, so the test can decrypt
 * what the server sends to it (RFC 8291, aes128gcm).
 */
export class WebPushSubscription {
  readonly keys: { p256dh: string; auth: string };

  private constructor(
    readonly endpoint: string,
    private readonly ecdh: ECDH,
    private readonly authSecret: Buffer,
  ) {
    this.keys = {
      p256dh: ecdh.getPublicKey().toString('base64url'),
      auth: authSecret.toString('base64url'),
    };
  }

  static create(endpoint: string): WebPushSubscription {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    return new WebPushSubscription(endpoint, ecdh, randomBytes(16));
  }

  toJSON(): WebPushSubscriptionJson {
    return { endpoint: this.endpoint, keys: { ...this.keys } };
  }

  /** The plaintext of an aes128gcm body sent to this subscription; throws if it was not encrypted for it. */
  decrypt(body: Buffer): Buffer {
    return decrypt(body, { version: 'aes128gcm', privateKey: this.ecdh, authSecret: this.authSecret });
  }
}
