import type { PushSender } from './senders/push-sender.port';

export type PushPreview = 'full' | 'sender' | 'none';

/** What a host configures about push; every field has a default. */
export interface PushOptions {
  /** A push waits this long (ms) so a recipient about to look is not buzzed. Default 2000. */
  delayMs?: number;
  /** Messages joining a pending push delay it at most this long (ms) after the first. Default 30000. */
  batchMaxMs?: number;
  /** How often the outbox worker looks for due pushes (ms). Default 500. */
  pollMs?: number;
  /** Transient failures are retried this many attempts in all. Default 8. */
  maxAttempts?: number;
  /** `full`: the text; `sender` (default): who wrote about which listing; `none`: only that something came. */
  preview?: PushPreview;
  /** Web Push endpoints must be https on these hosts (`*.example.com` for subdomains). */
  endpointHosts?: string[];
  /** Admit http://127.0.0.1:<port> endpoints, for tests and local trials; refused in production. */
  allowLoopbackEndpoints?: boolean;
  /** Run the outbox worker in this instance. Default true; several instances never send a push twice. */
  worker?: boolean;
  webPush?: { publicKey: string; privateKey: string; subject: string };
  fcm?: {
    serviceAccount: { project_id: string; client_email: string; private_key: string; token_uri?: string };
    baseUrl?: string;
  };
  apns?: { key: string; keyId: string; teamId: string; bundleId: string; host?: string };
  /** Senders of the host's own, replacing Parley's for their platform. */
  senders?: PushSender[];
}

/** The public browser push services. */
export const DEFAULT_PUSH_ENDPOINT_HOSTS = [
  'fcm.googleapis.com',
  'updates.push.services.mozilla.com',
  '*.push.services.mozilla.com',
  '*.notify.windows.com',
  'web.push.apple.com',
  '*.push.apple.com',
];
