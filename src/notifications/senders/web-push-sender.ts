import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { generateRequestDetails } from 'web-push';
import type { PushNotificationContent, PushResult, PushSender, PushTarget } from './push-sender.port';
import { parseRetryAfter } from './retry-after';

export interface WebPushSenderOptions {
  vapid: { publicKey: string; privateKey: string; subject: string };
  /** Refuses private addresses when connecting (the endpoint was checked at registration; DNS may change). */
  lookup: LookupFunction;
  timeoutMs?: number;
}

/**
 * Web Push (RFC 8030) with VAPID (RFC 8292) and aes128gcm payload encryption
 * (RFC 8291). `web-push` builds the encrypted request; this class sends it
 * itself, so it can pin the connection to a public address, read the status and
 * Retry-After, and talk to a local http:// stand-in in tests.
 */
export class WebPushSender implements PushSender {
  readonly platform = 'webpush' as const;

  constructor(private readonly options: WebPushSenderOptions) {}

  async send(target: PushTarget, content: PushNotificationContent): Promise<PushResult> {
    if (!target.keys) return { outcome: 'gone', error: 'subscription has no keys' };
    const payload = JSON.stringify({
      title: content.title,
      body: content.body,
      badge: content.badge,
      tag: content.collapseKey,
      data: content.data,
    });
    const details = generateRequestDetails({ endpoint: target.token, keys: target.keys }, payload, {
      vapidDetails: this.options.vapid,
      TTL: content.ttlSeconds,
      urgency: 'normal',
      // A later push with the same topic replaces this one while it waits at the push service.
      topic: content.collapseKey.replace(/-/g, '').slice(0, 32),
      contentEncoding: 'aes128gcm',
    });
    let response: { status: number; retryAfter: string | undefined };
    try {
      response = await this.post(details.endpoint, details.headers, details.body ?? Buffer.alloc(0));
    } catch (error) {
      return { outcome: 'retry', error: `network: ${(error as Error).message}` };
    }
    return classify(response.status, response.retryAfter);
  }

  private post(
    endpoint: string,
    headers: Record<string, string | number>,
    body: Buffer,
  ): Promise<{ status: number; retryAfter: string | undefined }> {
    const url = new URL(endpoint);
    const send = url.protocol === 'http:' ? httpRequest : httpsRequest;
    return new Promise((resolve, reject) => {
      const request = send(
        url,
        {
          method: 'POST',
          headers: { ...headers, 'Content-Length': body.length },
          lookup: this.options.lookup,
          timeout: this.options.timeoutMs ?? 10_000,
        },
        (response: IncomingMessage) => {
          response.resume();
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, retryAfter: response.headers['retry-after'] }),
          );
          response.on('error', reject);
        },
      );
      request.on('timeout', () => request.destroy(new Error('timed out')));
      request.on('error', reject);
      request.end(body);
    });
  }
}

function classify(status: number, retryAfter: string | undefined): PushResult {
  if (status >= 200 && status < 300) return { outcome: 'sent' };
  // The subscription expired or was withdrawn: the browser will not come back to it.
  if (status === 404 || status === 410) return { outcome: 'gone', error: `push service answered ${status}` };
  if (status === 429 || status >= 500) {
    return {
      outcome: 'retry',
      error: `push service answered ${status}`,
      retryAfterMs: parseRetryAfter(retryAfter),
    };
  }
  return { outcome: 'failed', error: `push service answered ${status}` };
}
