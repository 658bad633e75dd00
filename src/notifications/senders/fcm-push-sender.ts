import { createHash, createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { PushNotificationContent, PushResult, PushSender, PushTarget } from './push-sender.port';
import { parseRetryAfter } from './retry-after';

/** The fields of a Google service account key file (JSON) that FCM needs. */
export interface FcmServiceAccount {
  project_id: string;
  client_email: string;
  /** PEM, as in the key file. */
  private_key: string;
  token_uri?: string;
}

export interface FcmPushSenderOptions {
  serviceAccount: FcmServiceAccount;
  /** Default https://fcm.googleapis.com */
  baseUrl?: string;
  /** OAuth2 token endpoint. Default `serviceAccount.token_uri`, else https://oauth2.googleapis.com/token */
  tokenUrl?: string;
  /** Per HTTP request (token exchange and send alike). Default 10 s. */
  timeoutMs?: number;
  /** Clock in epoch milliseconds; for tests. */
  now?: () => number;
}

const DEFAULT_BASE_URL = 'https://fcm.googleapis.com';
const DEFAULT_TOKEN_URL = 'https://oauth2.googleapis.com/token';
const DEFAULT_TIMEOUT_MS = 10_000;
const SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const ASSERTION_LIFETIME_S = 3600;
/** Refresh the access token this long before Google says it expires. */
const REFRESH_MARGIN_MS = 5 * 60_000;
const RETRYABLE_STATUSES = new Set([429, 500, 502, 503, 504]);
/** APNs refuses longer apns-collapse-id values, and FCM passes ours through. */
const MAX_APNS_COLLAPSE_ID_BYTES = 64;
const MAX_ERROR_CHARS = 400;

/**
 * Reads and validates a Google service account key file for FCM.
 * Errors name the file and the problem, never the key material.
 */
export function readFcmServiceAccount(file: string): FcmServiceAccount {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new Error(`Cannot read the FCM service account file ${file}: ${code}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // The parser's message quotes the text around the error, which may be key material.
    throw new Error(`The FCM service account file ${file} is not valid JSON`);
  }
  return parseFcmServiceAccount(json, `The FCM service account file ${file}`);
}

/**
 * Validates a parsed service account key (e.g. from an environment variable).
 * `source` starts the error messages.
 */
export function parseFcmServiceAccount(json: unknown, source = 'The FCM service account'): FcmServiceAccount {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new Error(`${source} must be a JSON object (a Google service account key)`);
  }
  const record = json as Record<string, unknown>;
  if (record.type !== undefined && record.type !== 'service_account') {
    throw new Error(`${source} has type ${JSON.stringify(record.type)}, expected "service_account"`);
  }
  const required = ['project_id', 'client_email', 'private_key'] as const;
  const missing = required.filter((field) => typeof record[field] !== 'string' || record[field] === '');
  if (missing.length > 0) {
    throw new Error(`${source} is missing ${missing.join(', ')}`);
  }
  if (record.token_uri !== undefined && typeof record.token_uri !== 'string') {
    throw new Error(`${source} has a token_uri that is not a string`);
  }
  const account: FcmServiceAccount = {
    project_id: record.project_id as string,
    client_email: record.client_email as string,
    private_key: record.private_key as string,
    ...(record.token_uri ? { token_uri: record.token_uri } : {}),
  };
  loadRsaKey(account.private_key, source);
  return account;
}

function loadRsaKey(pem: string, source: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new Error(`${source} has a private_key that is not a PEM private key`);
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new Error(
      `${source} has a ${key.asymmetricKeyType ?? 'non-RSA'} private_key; RS256 needs an RSA key`,
    );
  }
  return key;
}

interface CachedToken {
  token: string;
  /** Epoch ms after which a send fetches a new one. */
  refreshAt: number;
}

/** Thrown inside the sender when no access token could be had; becomes a `retry` result. */
class AccessTokenError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/**
 * Sends to Android and iOS apps through Firebase Cloud Messaging (HTTP v1 API), authenticated
 * as a service account: a self-signed RS256 assertion exchanged for an OAuth2 access token,
 * cached until shortly before it expires and refreshed once for any number of concurrent sends.
 */
export class FcmPushSender implements PushSender {
  readonly platform = 'fcm' as const;

  private readonly key: KeyObject;
  private readonly projectId: string;
  private readonly clientEmail: string;
  private readonly sendUrl: string;
  private readonly tokenUrl: string;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private cached?: CachedToken;
  private refreshing?: Promise<string>;

  constructor(options: FcmPushSenderOptions) {
    const account = options.serviceAccount;
    for (const field of ['project_id', 'client_email', 'private_key'] as const) {
      if (typeof account[field] !== 'string' || account[field] === '') {
        throw new Error(`FcmPushSender: serviceAccount.${field} is required`);
      }
    }
    this.key = loadRsaKey(account.private_key, 'FcmPushSender: serviceAccount');
    this.projectId = account.project_id;
    this.clientEmail = account.client_email;
    const baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
    this.sendUrl = `${baseUrl}/v1/projects/${encodeURIComponent(this.projectId)}/messages:send`;
    this.tokenUrl = options.tokenUrl ?? account.token_uri ?? DEFAULT_TOKEN_URL;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.now = options.now ?? Date.now;
  }

  async send(target: PushTarget, content: PushNotificationContent): Promise<PushResult> {
    const body = JSON.stringify(this.message(target, content));
    let accessToken: string | undefined;
    try {
      accessToken = await this.accessToken();
      let result = await this.post(target, body, accessToken);
      if (result.unauthorized) {
        // The token was revoked or expired early: one more try with a fresh one.
        this.dropAccessToken(accessToken);
        accessToken = await this.accessToken();
        result = await this.post(target, body, accessToken);
      }
      return result.result;
    } catch (error) {
      if (error instanceof AccessTokenError) {
        return {
          outcome: 'retry',
          error: error.message,
          ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
        };
      }
      return {
        outcome: 'retry',
        error: clip(
          redact(`FCM send failed: ${describeFetchError(error, this.timeoutMs)}`, [
            target.token,
            accessToken,
          ]),
        ),
      };
    }
  }

  private message(target: PushTarget, content: PushNotificationContent): object {
    const ttlSeconds = Math.max(0, Math.floor(content.ttlSeconds));
    return {
      message: {
        token: target.token,
        notification: { title: content.title, body: content.body },
        data: content.data,
        android: {
          collapse_key: content.collapseKey,
          ttl: `${ttlSeconds}s`,
          notification: { tag: content.collapseKey, notification_count: content.badge },
        },
        apns: {
          headers: {
            'apns-collapse-id': apnsCollapseId(content.collapseKey),
            // APNs stores pushes for offline devices for up to 30 days unless told otherwise.
            'apns-expiration': String(Math.floor(this.now() / 1000) + ttlSeconds),
          },
          payload: { aps: { badge: content.badge } },
        },
      },
    };
  }

  private async post(
    target: PushTarget,
    body: string,
    accessToken: string,
  ): Promise<{ unauthorized: boolean; result: PushResult }> {
    const response = await fetch(this.sendUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json; charset=utf-8' },
      body,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await response.text();
    if (response.ok) return { unauthorized: false, result: { outcome: 'sent' } };
    const status = response.status;
    const error = parseGoogleError(text);
    const errorCode = error?.errorCode ?? error?.status;
    const detail = clip(
      redact(
        `FCM ${status}${errorCode ? ` ${errorCode}` : ''}: ${error?.message ?? (text.trim() || response.statusText)}`,
        [target.token, accessToken],
      ),
    );
    if (status === 401) return { unauthorized: true, result: { outcome: 'retry', error: detail } };
    if (status === 404 || errorCode === 'UNREGISTERED') {
      return { unauthorized: false, result: { outcome: 'gone', error: detail } };
    }
    if (status === 400 && errorCode === 'INVALID_ARGUMENT' && error?.concernsToken) {
      return { unauthorized: false, result: { outcome: 'gone', error: detail } };
    }
    if (RETRYABLE_STATUSES.has(status)) {
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), this.now());
      return {
        unauthorized: false,
        result: { outcome: 'retry', error: detail, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) },
      };
    }
    return { unauthorized: false, result: { outcome: 'failed', error: detail } };
  }

  private accessToken(): Promise<string> {
    if (this.cached && this.now() < this.cached.refreshAt) return Promise.resolve(this.cached.token);
    this.refreshing ??= this.fetchAccessToken().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  /** Forgets `token` unless a newer one has replaced it meanwhile. */
  private dropAccessToken(token: string): void {
    if (this.cached?.token === token) this.cached = undefined;
  }

  private async fetchAccessToken(): Promise<string> {
    const requestedAt = this.now();
    const assertion = this.assertion(requestedAt);
    let response: Response;
    let text: string;
    try {
      response = await fetch(this.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: JWT_BEARER_GRANT, assertion }).toString(),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      throw new AccessTokenError(
        clip(
          redact(`FCM OAuth token request failed: ${describeFetchError(error, this.timeoutMs)}`, [assertion]),
        ),
      );
    }
    const json = parseJson(text);
    const accessToken = json?.access_token;
    if (!response.ok || typeof accessToken !== 'string' || accessToken === '') {
      const reason =
        typeof json?.error === 'string'
          ? `${json.error}${typeof json.error_description === 'string' ? `: ${json.error_description}` : ''}`
          : text.trim() || response.statusText;
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), this.now());
      throw new AccessTokenError(
        clip(
          redact(`FCM OAuth token request failed: ${response.status} ${reason}`, [
            assertion,
            typeof accessToken === 'string' ? accessToken : undefined,
          ]),
        ),
        retryAfterMs,
      );
    }
    const expiresInMs = typeof json?.expires_in === 'number' ? json.expires_in * 1000 : 0;
    // Measured from the request, not the answer: never trust a token longer than Google does.
    this.cached = {
      token: accessToken,
      refreshAt: requestedAt + Math.max(0, expiresInMs - REFRESH_MARGIN_MS),
    };
    return accessToken;
  }

  private assertion(nowMs: number): string {
    const iat = Math.floor(nowMs / 1000);
    const header = base64UrlJson({ alg: 'RS256', typ: 'JWT' });
    const claims = base64UrlJson({
      iss: this.clientEmail,
      scope: SCOPE,
      aud: this.tokenUrl,
      iat,
      exp: iat + ASSERTION_LIFETIME_S,
    });
    const signingInput = `${header}.${claims}`;
    const signature = sign('sha256', Buffer.from(signingInput), this.key).toString('base64url');
    return `${signingInput}.${signature}`;
  }
}

interface GoogleError {
  status?: string;
  message?: string;
  /** From `details[]` of type google.firebase.fcm.v1.FcmError. */
  errorCode?: string;
  /** The message or a field violation points at `message.token`. */
  concernsToken: boolean;
}

/** Reads `{error: {code, message, status, details: [...]}}`; undefined when the body is not one. */
function parseGoogleError(text: string): GoogleError | undefined {
  const error = parseJson(text)?.error;
  if (typeof error !== 'object' || error === null) return undefined;
  const record = error as Record<string, unknown>;
  const message = typeof record.message === 'string' ? record.message : undefined;
  const details = Array.isArray(record.details) ? (record.details as unknown[]) : [];
  let errorCode: string | undefined;
  let fieldConcernsToken = false;
  for (const detail of details) {
    if (typeof detail !== 'object' || detail === null) continue;
    const entry = detail as Record<string, unknown>;
    if (typeof entry.errorCode === 'string') errorCode ??= entry.errorCode;
    if (Array.isArray(entry.fieldViolations)) {
      fieldConcernsToken ||= (entry.fieldViolations as unknown[]).some(
        (violation) =>
          typeof violation === 'object' &&
          violation !== null &&
          (violation as Record<string, unknown>).field === 'message.token',
      );
    }
  }
  return {
    status: typeof record.status === 'string' ? record.status : undefined,
    message,
    errorCode,
    concernsToken: fieldConcernsToken || /registration token|message\.token/i.test(message ?? ''),
  };
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  // Duck-typed: fetch's errors may come from another realm (Jest's sandbox), failing instanceof.
  const failure = asErrorLike(error);
  if (!failure) return String(error);
  if (failure.name === 'TimeoutError' || failure.name === 'AbortError')
    return `timed out after ${timeoutMs} ms`;
  // undici reports "fetch failed" and puts the reason (ECONNREFUSED, a TLS error...) in `cause`.
  const cause = asErrorLike(failure.cause);
  if (!cause) return failure.message;
  return `${failure.message} (${cause.code ? `${cause.code}: ` : ''}${cause.message})`;
}

interface ErrorLike {
  name: string;
  message: string;
  code?: string;
  cause?: unknown;
}

function asErrorLike(value: unknown): ErrorLike | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (typeof record.message !== 'string') return undefined;
  return {
    name: typeof record.name === 'string' ? record.name : 'Error',
    message: record.message,
    code: typeof record.code === 'string' ? record.code : undefined,
    cause: record.cause,
  };
}

/** APNs takes at most 64 bytes; a longer key is hashed so distinct keys stay distinct. */
function apnsCollapseId(collapseKey: string): string {
  if (Buffer.byteLength(collapseKey) <= MAX_APNS_COLLAPSE_ID_BYTES) return collapseKey;
  return createHash('sha256').update(collapseKey).digest('base64url');
}

function base64UrlJson(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Applied after `redact`, so that no secret is cut in half and left readable. */
function clip(text: string): string {
  return text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS)}…` : text;
}

/** Error strings end up in logs and the outbox table: secrets must not. */
function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let result = text;
  for (const secret of secrets) {
    if (secret) result = result.split(secret).join('[redacted]');
  }
  return result;
}
