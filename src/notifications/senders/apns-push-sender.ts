import { createHash, createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  connect,
  constants as http2Constants,
  type ClientHttp2Session,
  type ClientHttp2Stream,
  type IncomingHttpHeaders,
} from 'node:http2';
import type { PushNotificationContent, PushResult, PushSender, PushTarget } from './push-sender.port';
import { parseRetryAfter } from './retry-after';

export interface ApnsPushSenderOptions {
  /** The token signing key: contents of the AuthKey_<keyId>.p8 file (PKCS#8 PEM, EC P-256). */
  key: string;
  /** The key's 10-character Key ID from the Apple developer account. */
  keyId: string;
  /** The 10-character Team ID that owns the key. */
  teamId: string;
  /** Default apns-topic, for devices that registered no app id. */
  bundleId: string;
  /** Default https://api.push.apple.com; development builds use https://api.sandbox.push.apple.com */
  host?: string;
  /** Per request, including connecting. Default 10 s. */
  timeoutMs?: number;
  /** Extra trusted CA certificates (PEM); for tests against a local server. */
  ca?: string | Buffer;
  /** Clock in epoch milliseconds; for tests. */
  now?: () => number;
}

export const APNS_PRODUCTION_HOST = 'https://api.push.apple.com';
export const APNS_SANDBOX_HOST = 'https://api.sandbox.push.apple.com';

const DEFAULT_TIMEOUT_MS = 10_000;
/**
 * Apple rejects provider tokens older than an hour, and refreshing more often than every 20
 * minutes (TooManyProviderTokenUpdates): 50 minutes sits safely between.
 */
const PROVIDER_TOKEN_REUSE_MS = 50 * 60_000;
const MAX_COLLAPSE_ID_BYTES = 64;
const MAX_ERROR_CHARS = 400;
const GONE_REASONS = new Set(['BadDeviceToken', 'DeviceTokenNotForTopic', 'Unregistered', 'ExpiredToken']);
const DEVICE_TOKEN_FORMAT = /^[0-9a-fA-F]{16,200}$/;

/**
 * Reads an APNs token signing key (.p8) and checks it is an EC P-256 private key.
 * Errors name the file and the problem, never the key material.
 */
export function readApnsKey(file: string): string {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new Error(`Cannot read the APNs key file ${file}: ${code}`, { cause: error });
  }
  loadEs256Key(pem, `The APNs key file ${file}`);
  return pem;
}

function loadEs256Key(pem: string, source: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new Error(`${source} is not a PEM private key (expected the .p8 file Apple issued)`);
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error(`${source} is not an EC P-256 private key; APNs provider tokens need one (ES256)`);
  }
  return key;
}

interface ProviderToken {
  jwt: string;
  issuedAt: number;
}

interface Connection {
  session: ClientHttp2Session;
  inFlight: number;
}

interface ApnsResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * Sends to iOS, iPadOS and macOS apps through Apple Push Notification service, with
 * token-based (ES256 JWT) authentication over one reused HTTP/2 connection.
 */
export class ApnsPushSender implements PushSender {
  readonly platform = 'apns' as const;

  private readonly key: KeyObject;
  private readonly keyId: string;
  private readonly teamId: string;
  private readonly bundleId: string;
  private readonly host: string;
  private readonly timeoutMs: number;
  private readonly ca?: string | Buffer;
  private readonly now: () => number;
  private providerToken?: ProviderToken;
  private connection?: Connection;

  constructor(options: ApnsPushSenderOptions) {
    for (const field of ['keyId', 'teamId', 'bundleId'] as const) {
      if (typeof options[field] !== 'string' || options[field].trim() === '') {
        throw new Error(`ApnsPushSender: ${field} is required`);
      }
    }
    this.key = loadEs256Key(options.key, 'ApnsPushSender: key');
    this.keyId = options.keyId;
    this.teamId = options.teamId;
    this.bundleId = options.bundleId;
    this.host = new URL(options.host ?? APNS_PRODUCTION_HOST).origin;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.ca = options.ca;
    this.now = options.now ?? Date.now;
  }

  async send(target: PushTarget, content: PushNotificationContent): Promise<PushResult> {
    if (!DEVICE_TOKEN_FORMAT.test(target.token)) {
      // It goes into the request path: anything but hex is no APNs token, and no path to send.
      return { outcome: 'gone', error: 'APNs device token is not a hex string' };
    }
    const topic = target.appId?.trim() || this.bundleId;
    const payload = JSON.stringify({
      ...content.data,
      aps: {
        alert: { title: content.title, body: content.body },
        badge: content.badge,
        sound: 'default',
        'thread-id': content.collapseKey,
      },
    });
    const expiration = Math.floor(this.now() / 1000) + Math.max(0, Math.floor(content.ttlSeconds));
    const headers = {
      'apns-topic': topic,
      'apns-push-type': 'alert',
      'apns-priority': '10',
      'apns-expiration': String(expiration),
      'apns-collapse-id': collapseId(content.collapseKey),
      'content-type': 'application/json',
    };

    let jwt = this.currentProviderToken();
    try {
      let response = await this.post(target.token, { ...headers, authorization: `bearer ${jwt}` }, payload);
      if (response.status === 403 && reasonOf(response) === 'ExpiredProviderToken') {
        // Apple thinks our token is over an hour old (clock skew, a sleeping host): one fresh try.
        this.dropProviderToken(jwt);
        jwt = this.currentProviderToken();
        response = await this.post(target.token, { ...headers, authorization: `bearer ${jwt}` }, payload);
      }
      return classify(response, [target.token, jwt], this.now());
    } catch (error) {
      return {
        outcome: 'retry',
        error: clip(redact(`APNs request failed: ${describeError(error)}`, [target.token, jwt])),
      };
    }
  }

  /** Closes the HTTP/2 connection (after in-flight requests finish). A later send reconnects. */
  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    if (!connection || connection.session.destroyed) return;
    const { session } = connection;
    await new Promise<void>((resolve) => {
      // close() on a session already closing returns without calling back: wait for the end instead.
      if (session.closed) session.once('close', resolve);
      else session.close(resolve);
    });
  }

  private currentProviderToken(): string {
    const now = this.now();
    const current = this.providerToken;
    if (current && now >= current.issuedAt && now - current.issuedAt < PROVIDER_TOKEN_REUSE_MS) {
      return current.jwt;
    }
    const header = base64UrlJson({ alg: 'ES256', kid: this.keyId });
    const claims = base64UrlJson({ iss: this.teamId, iat: Math.floor(now / 1000) });
    const signingInput = `${header}.${claims}`;
    // JOSE wants the raw r||s signature, not the DER that OpenSSL produces by default.
    const signature = sign('sha256', Buffer.from(signingInput), {
      key: this.key,
      dsaEncoding: 'ieee-p1363',
    }).toString('base64url');
    this.providerToken = { jwt: `${signingInput}.${signature}`, issuedAt: now };
    return this.providerToken.jwt;
  }

  /** Forgets `jwt` unless a concurrent send already replaced it. */
  private dropProviderToken(jwt: string): void {
    if (this.providerToken?.jwt === jwt) this.providerToken = undefined;
  }

  private session(): Connection {
    const existing = this.connection;
    if (existing && !existing.session.closed && !existing.session.destroyed) return existing;
    const session = connect(this.host, this.ca === undefined ? {} : { ca: this.ca });
    const connection: Connection = { session, inFlight: 0 };
    const forget = () => {
      if (this.connection === connection) this.connection = undefined;
    };
    // Errors reach the requests on the session; this listener only keeps them from being unhandled.
    session.on('error', forget);
    session.on('close', forget);
    // After GOAWAY no new streams are accepted: the next send opens a new connection.
    session.on('goaway', forget);
    // An idle connection must not keep the process alive; `post` refs it while requests run.
    session.unref();
    this.connection = connection;
    return connection;
  }

  private post(token: string, headers: Record<string, string>, payload: string): Promise<ApnsResponse> {
    const connection = this.session();
    const { session } = connection;
    let request: ClientHttp2Stream;
    try {
      request = session.request({
        [http2Constants.HTTP2_HEADER_METHOD]: 'POST',
        [http2Constants.HTTP2_HEADER_PATH]: `/3/device/${token}`,
        ...headers,
      });
    } catch (error) {
      // The session is closing (GOAWAY received, close() called): the next send reconnects.
      if (this.connection === connection) this.connection = undefined;
      return Promise.reject(new Error(describeError(error), { cause: error }));
    }
    if (connection.inFlight++ === 0) session.ref();
    return new Promise<ApnsResponse>((resolve, reject) => {
      let settled = false;
      let status = 0;
      let responseHeaders: IncomingHttpHeaders = {};
      let body = '';
      const finish = (error?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (--connection.inFlight === 0 && !session.destroyed) session.unref();
        if (error) reject(error);
        else resolve({ status, headers: responseHeaders, body });
      };
      const timer = setTimeout(() => {
        finish(new Error(`timed out after ${this.timeoutMs} ms`));
        request.close(http2Constants.NGHTTP2_CANCEL);
        // The connection may be dead without knowing it: new sends get a fresh one, while
        // requests already on this one may still finish.
        if (this.connection === connection) this.connection = undefined;
        if (!session.closed) session.close();
      }, this.timeoutMs);
      request.setEncoding('utf8');
      request.on('response', (received) => {
        responseHeaders = received;
        status = Number(received[http2Constants.HTTP2_HEADER_STATUS]);
      });
      request.on('data', (chunk: string) => {
        body += chunk;
      });
      request.on('end', () => finish());
      request.on('error', (error: Error) => finish(error));
      // Covers a reset stream that emits neither 'end' nor 'error'.
      request.on('close', () =>
        finish(new Error(`stream closed before a response (HTTP/2 code ${request.rstCode ?? 'unknown'})`)),
      );
      request.end(payload);
    });
  }
}

function classify(response: ApnsResponse, secrets: string[], nowMs: number): PushResult {
  const { status } = response;
  if (status === 200) return { outcome: 'sent' };
  const reason = reasonOf(response);
  const error = clip(redact(`APNs ${status} ${reason ?? (response.body.trim() || 'no reason')}`, secrets));
  if (status === 410 || (reason !== undefined && GONE_REASONS.has(reason))) return { outcome: 'gone', error };
  if (status === 429 || status >= 500 || (status === 403 && reason === 'ExpiredProviderToken')) {
    const retryAfterMs = parseRetryAfter(response.headers['retry-after'], nowMs);
    return { outcome: 'retry', error, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  }
  return { outcome: 'failed', error };
}

/** Duck-typed: errors from Node's core may come from another realm (Jest's sandbox). */
function describeError(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const { code, message } = error as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : JSON.stringify(error);
  return typeof code === 'string' && !text.includes(code) ? `${code}: ${text}` : text;
}

function reasonOf(response: ApnsResponse): string | undefined {
  try {
    const json: unknown = JSON.parse(response.body);
    if (typeof json === 'object' && json !== null) {
      const reason = (json as Record<string, unknown>).reason;
      return typeof reason === 'string' ? reason : undefined;
    }
  } catch {
    // Not JSON (a proxy's error page): the status alone decides.
  }
  return undefined;
}

/** At most 64 bytes; a longer key is hashed so distinct keys stay distinct. */
function collapseId(collapseKey: string): string {
  if (Buffer.byteLength(collapseKey) <= MAX_COLLAPSE_ID_BYTES) return collapseKey;
  return createHash('sha256').update(collapseKey).digest('base64url');
}

function base64UrlJson(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Error strings end up in logs and the outbox table: device tokens and JWTs must not. */
function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let result = text;
  for (const secret of secrets) {
    if (secret) result = result.split(secret).join('[redacted]');
  }
  return result;
}

function clip(text: string): string {
  return text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS)}…` : text;
}
