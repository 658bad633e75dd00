import { createPublicKey, randomUUID, verify } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebPushSubscription } from './web-push-subscription';

/**
 * A status, or a status with headers (e.g. `{ status: 429, headers: { 'Retry-After': '1' } }`),
 * answered only once `hold` settles when given (the request is recorded at once).
 */
export type FakeResponse =
  number | { status: number; headers?: Record<string, string>; hold?: Promise<unknown> };

/** What Parley's Web Push sender puts in the encrypted body. */
export interface PushPayload {
  title: string;
  body: string;
  badge: number;
  tag: string;
  data: Record<string, string>;
}

export interface ReceivedPush {
  /** Date.now() when the request arrived. */
  at: number;
  path: string;
  headers: IncomingHttpHeaders;
  /** What the fake answered. */
  status: number;
  /** The decrypted body as JSON; undefined when it could not be decrypted (see `problems`). */
  payload: PushPayload | undefined;
  /** The VAPID JWT's claims, when the Authorization header could be read. */
  vapidClaims: Record<string, unknown> | undefined;
  /** Why a real push service would refuse the request; empty when every check passed. */
  problems: string[];
}

export interface FakeWebPushServiceOptions {
  /** The server's VAPID_PUBLIC_KEY: the `k` every request must carry and its JWT must verify with. */
  vapidPublicKey: string;
  /** The server's VAPID_SUBJECT: the JWT's `sub`. */
  vapidSubject: string;
}

const DEFAULT_TIMEOUT_MS = 5_000;
/** RFC 8292 §2: a push service rejects a JWT that expires more than 24 hours ahead. */
const MAX_JWT_LIFETIME_S = 24 * 60 * 60;

/**
 * A browser push service on 127.0.0.1 (RFC 8030), for servers started with
 * PUSH_ALLOW_LOOPBACK_ENDPOINTS=true. Every subscription gets a path of its own;
 * a test scripts that path's answers in order (then 201). Each request is
 * checked as a real service would: the VAPID JWT (RFC 8292) must verify with
 * the configured public key and name this origin and subject, and the body must
 * decrypt (RFC 8291, aes128gcm) with the subscription's private key.
 */
export class FakeWebPushService {
  private readonly subscriptions = new Map<string, WebPushSubscription>();
  private readonly scripts = new Map<string, FakeResponse[]>();
  private readonly received: ReceivedPush[] = [];
  private readonly listeners = new Set<() => void>();

  private readonly server = createServer((request, response) => this.handle(request, response));

  private constructor(private readonly options: FakeWebPushServiceOptions) {}

  static async start(options: FakeWebPushServiceOptions): Promise<FakeWebPushService> {
    const service = new FakeWebPushService(options);
    await new Promise<void>((resolve, reject) => {
      service.server.once('error', reject);
      service.server.listen(0, '127.0.0.1', resolve);
    });
    return service;
  }

  /** e.g. http://127.0.0.1:41234 */
  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** A new browser subscription whose endpoint is a path of this service. */
  subscribe(): WebPushSubscription {
    const subscription = WebPushSubscription.create(`${this.origin}/push/${randomUUID()}`);
    this.subscriptions.set(new URL(subscription.endpoint).pathname, subscription);
    return subscription;
  }

  /** The answers to the next requests to `subscription`, in order; 201 once they are used up. */
  respondWith(subscription: WebPushSubscription, responses: FakeResponse[]): void {
    this.scripts.set(pathOf(subscription), [...responses]);
  }

  /** Every request received for `subscription` so far, oldest first. */
  requestsTo(subscription: WebPushSubscription): ReceivedPush[] {
    const path = pathOf(subscription);
    return this.received.filter((push) => push.path === path);
  }

  /** Resolves with the requests to `subscription` once there are at least `count`. */
  waitForRequests(
    subscription: WebPushSubscription,
    count: number,
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<ReceivedPush[]> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const requests = this.requestsTo(subscription);
        if (requests.length < count) return;
        clearTimeout(timer);
        this.listeners.delete(check);
        resolve(requests);
      };
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        const got = this.requestsTo(subscription).length;
        reject(new Error(`${pathOf(subscription)}: ${got} of ${count} push requests within ${timeoutMs} ms`));
      }, timeoutMs);
      this.listeners.add(check);
      check();
    });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const at = Date.now();
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = new URL(request.url ?? '/', this.origin).pathname;
      const subscription = this.subscriptions.get(path);
      const scripted = subscription ? (this.scripts.get(path)?.shift() ?? 201) : 404;
      const { status, headers = {}, hold } = typeof scripted === 'number' ? { status: scripted } : scripted;
      const problems: string[] = [];
      if (request.method !== 'POST') problems.push(`method ${request.method} instead of POST`);
      if (!subscription) problems.push(`no subscription at ${path}`);
      const vapidClaims = this.checkVapid(request.headers.authorization, problems);
      const payload = subscription
        ? decryptPayload(subscription, request.headers, Buffer.concat(chunks), problems)
        : undefined;
      this.received.push({ at, path, headers: request.headers, status, payload, vapidClaims, problems });
      for (const listener of [...this.listeners]) listener();
      const reply = (): void => void response.writeHead(status, headers).end();
      if (hold) void hold.then(reply, reply);
      else reply();
    });
  }

  /** RFC 8292 `vapid t=<jwt>, k=<public key>`; returns the claims and records what is wrong. */
  private checkVapid(
    authorization: string | undefined,
    problems: string[],
  ): Record<string, unknown> | undefined {
    const match = /^vapid t=([\w-]+\.[\w-]+\.[\w-]+),\s*k=([\w-]+)$/.exec(authorization ?? '');
    if (!match) {
      problems.push(`Authorization is not "vapid t=<jwt>, k=<key>": ${authorization ?? '(none)'}`);
      return undefined;
    }
    const [, jwt, publicKey] = match;
    if (publicKey !== this.options.vapidPublicKey) problems.push(`k is ${publicKey}, not the server's key`);
    const [encodedHeader, encodedClaims, signature] = jwt.split('.');
    const header = parseJsonPart(encodedHeader);
    const claims = parseJsonPart(encodedClaims);
    if (header?.alg !== 'ES256') problems.push(`JWT alg is ${String(header?.alg)}, not ES256`);
    if (!claims) {
      problems.push('JWT claims are not JSON');
      return undefined;
    }
    if (!verifiesWith(publicKey, `${encodedHeader}.${encodedClaims}`, signature)) {
      problems.push('JWT signature does not verify with k');
    }
    if (claims.aud !== this.origin) problems.push(`aud is ${String(claims.aud)}, not ${this.origin}`);
    if (claims.sub !== this.options.vapidSubject) {
      problems.push(`sub is ${String(claims.sub)}, not ${this.options.vapidSubject}`);
    }
    const now = Math.floor(Date.now() / 1000);
    if (typeof claims.exp !== 'number' || claims.exp <= now || claims.exp > now + MAX_JWT_LIFETIME_S) {
      problems.push(`exp ${String(claims.exp)} is not within the next 24 hours`);
    }
    return claims;
  }
}

function pathOf(subscription: WebPushSubscription): string {
  return new URL(subscription.endpoint).pathname;
}

function parseJsonPart(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** ES256 (JWS: r||s) over `signingInput`, with `publicKey` a base64url uncompressed P-256 point. */
function verifiesWith(publicKey: string, signingInput: string, signature: string): boolean {
  const point = Buffer.from(publicKey, 'base64url');
  if (point.length !== 65 || point[0] !== 0x04) return false;
  const key = createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33).toString('base64url'),
    },
    format: 'jwk',
  });
  return verify(
    'sha256',
    Buffer.from(signingInput),
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64url'),
  );
}

function decryptPayload(
  subscription: WebPushSubscription,
  headers: IncomingHttpHeaders,
  body: Buffer,
  problems: string[],
): PushPayload | undefined {
  if (headers['content-encoding'] !== 'aes128gcm') {
    problems.push(`Content-Encoding is ${String(headers['content-encoding'])}, not aes128gcm`);
    return undefined;
  }
  if (headers.ttl === undefined) problems.push('no TTL header');
  try {
    return JSON.parse(subscription.decrypt(body).toString('utf8')) as PushPayload;
  } catch (error) {
    problems.push(`body does not decrypt to JSON: ${(error as Error).message}`);
    return undefined;
  }
}
