import { createPublicKey, generateKeyPairSync, randomBytes, verify, type KeyObject } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { RequestLog } from './request-log';

export const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Google refuses assertions valid for longer, and clocks further apart than this. */
const MAX_ASSERTION_LIFETIME_S = 3600;
const MAX_CLOCK_SKEW_S = 300;

/** A status with a body (see `fcmError`) and headers. */
export interface FakeFcmResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * A status (200 answers like FCM does), a response, 'hang' (no answer ever: a timeout), or a
 * function of the send (its `status` still 0) that returns one of those.
 */
export type FakeFcmAnswer =
  number | FakeFcmResponse | 'hang' | ((send: ReceivedFcmSend) => number | FakeFcmResponse | 'hang');

/** The HTTP v1 `message`, as far as Parley fills it in. */
export interface FcmMessage {
  token?: string;
  notification?: { title?: string; body?: string };
  data?: Record<string, unknown>;
  android?: {
    collapse_key?: string;
    ttl?: string;
    notification?: { tag?: string; notification_count?: number };
  };
  apns?: { headers?: Record<string, unknown>; payload?: { aps?: Record<string, unknown> } };
}

export interface JwtParts {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

export interface ReceivedFcmTokenRequest {
  /** Date.now() when the request arrived. */
  at: number;
  /** The decoded assertion, when it was a JWT. */
  assertion: JwtParts | undefined;
  /** Whether the assertion's RS256 signature verifies with the service account's public key. */
  signatureVerified: boolean;
  /** The access token issued; undefined when refused (or answered as scripted). */
  accessToken: string | undefined;
  status: number;
  /** Why Google would refuse the request; empty when every check passed. */
  problems: string[];
}

export interface ReceivedFcmSend {
  at: number;
  path: string;
  headers: IncomingHttpHeaders;
  /** The bearer token, if the Authorization header carried one. */
  accessToken: string | undefined;
  /** Whether that token is one the token endpoint issued, and not expired since. */
  authorized: boolean;
  /** `message.token` of the body; '' when there is none. */
  deviceToken: string;
  message: FcmMessage | undefined;
  /** What the fake answered; 0 when it never did ('hang'). */
  status: number;
  problems: string[];
}

export interface FakeFcmServiceOptions {
  projectId?: string;
  clientEmail?: string;
  /** expires_in of issued access tokens. Default 3600. */
  accessTokenLifetimeS?: number;
  /** The service account's RSA private key (PKCS#8 PEM). Default a new 2048-bit key. */
  privateKeyPem?: string;
  /** Milliseconds since the epoch that assertion times are checked against. Default Date.now. */
  clock?: () => number;
}

/**
 * Google's OAuth2 token endpoint and the FCM HTTP v1 send endpoint on 127.0.0.1, with a
 * service account of its own (`serviceAccountKey()`, for FCM_SERVICE_ACCOUNT_FILE). The token
 * endpoint issues access tokens only for RS256 assertions that verify with that account's key and
 * carry the claims Google requires; the send endpoint accepts only those tokens and checks the
 * message as FCM validates it. Per device token, a test scripts answers in order (then 200); it
 * can script the token endpoint's answers too, and expire the access tokens issued so far.
 */
export class FakeFcmService {
  readonly projectId: string;
  readonly clientEmail: string;
  readonly tokenRequests = new RequestLog<ReceivedFcmTokenRequest>();
  readonly sendRequests = new RequestLog<ReceivedFcmSend>();
  private readonly privateKeyPem: string;
  private readonly publicKey: KeyObject;
  private readonly accessTokenLifetimeS: number;
  private readonly clock: () => number;
  private readonly issued = new Set<string>();
  private readonly expired = new Set<string>();
  private readonly scripts = new Map<string, FakeFcmAnswer[]>();
  private readonly tokenScript: FakeFcmResponse[] = [];
  private readonly problemLog: string[] = [];
  private readonly server: Server;

  private constructor(options: FakeFcmServiceOptions) {
    this.projectId = options.projectId ?? 'parley-e2e';
    this.clientEmail = options.clientEmail ?? `push@${this.projectId}.iam.gserviceaccount.com`;
    this.accessTokenLifetimeS = options.accessTokenLifetimeS ?? 3600;
    this.clock = options.clock ?? Date.now;
    this.privateKeyPem =
      options.privateKeyPem ??
      generateKeyPairSync('rsa', { modulusLength: 2048 })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString();
    this.publicKey = createPublicKey(this.privateKeyPem);
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.problemLog.push(`handler failed: ${String(error)}`);
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
  }

  static async start(options: FakeFcmServiceOptions = {}): Promise<FakeFcmService> {
    const fake = new FakeFcmService(options);
    await new Promise<void>((resolve, reject) => {
      fake.server.once('error', reject);
      fake.server.listen(0, '127.0.0.1', resolve);
    });
    return fake;
  }

  /** http://127.0.0.1:<port>: FCM_BASE_URL. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get tokenUrl(): string {
    return `${this.url}/token`;
  }

  /** A Google service account key file's content, its token_uri pointing at this fake. */
  serviceAccountKey(): Record<string, string> {
    return {
      type: 'service_account',
      project_id: this.projectId,
      private_key_id: randomBytes(20).toString('hex'),
      private_key: this.privateKeyPem,
      client_email: this.clientEmail,
      client_id: '100000000000000000001',
      auth_uri: 'https://accounts.google.com/o/oauth2/auth',
      token_uri: this.tokenUrl,
    };
  }

  /** Every access token the token endpoint has issued. */
  get issuedAccessTokens(): string[] {
    return [...this.issued];
  }

  /** Answers the next sends to `deviceToken` with these, in order; after them, 200. */
  answer(deviceToken: string, ...answers: FakeFcmAnswer[]): void {
    this.scripts.set(deviceToken, [...(this.scripts.get(deviceToken) ?? []), ...answers]);
  }

  /**
   * Answers the next token requests that pass every check with these instead of an access token,
   * in order (e.g. a 400 invalid_grant); after them, access tokens again.
   */
  answerTokenRequests(...responses: FakeFcmResponse[]): void {
    this.tokenScript.push(...responses);
  }

  /**
   * Expires every access token issued so far: sends bearing one are answered 401 UNAUTHENTICATED,
   * as Google answers a token that expired early or was revoked. The sender could not know, so
   * this is no problem of its.
   */
  expireAccessTokens(): void {
    for (const accessToken of this.issued) this.expired.add(accessToken);
  }

  /** Sends received for `deviceToken` (all sends without it). */
  sends(deviceToken?: string): ReceivedFcmSend[] {
    return this.sendRequests.all((send) => deviceToken === undefined || send.deviceToken === deviceToken);
  }

  /** Resolves once `count` sends for `deviceToken` have arrived. */
  waitForSends(deviceToken: string, count: number, timeoutMs?: number): Promise<ReceivedFcmSend[]> {
    return this.sendRequests.waitFor(
      (send) => send.deviceToken === deviceToken,
      count,
      `FCM sends to ${deviceToken.slice(0, 12)}…`,
      timeoutMs,
    );
  }

  /**
   * Everything a real Google would have refused (the fake refused it too), in arrival order and
   * only ever appended to; [] when all was well.
   */
  get problems(): string[] {
    return [...this.problemLog];
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    if (req.method === 'POST' && req.url === '/token') return this.token(req, body, res);
    if (req.method === 'POST' && req.url?.endsWith('/messages:send')) return this.send(req, body, res);
    this.problemLog.push(`unexpected ${req.method} ${req.url}`);
    json(res, 404, fcmError(404, 'NOT_FOUND', 'Not found'));
  }

  private token(req: IncomingMessage, body: string, res: ServerResponse): void {
    const problems: string[] = [];
    const form = new URLSearchParams(body);
    if (req.headers['content-type'] !== 'application/x-www-form-urlencoded') {
      problems.push(`content-type ${req.headers['content-type']}`);
    }
    if (form.get('grant_type') !== JWT_BEARER_GRANT) problems.push(`grant_type ${form.get('grant_type')}`);
    const [header = '', claims = '', signature = ''] = (form.get('assertion') ?? '').split('.');
    const assertion = decodeJwt(header, claims);
    let signatureVerified = false;
    if (!assertion || !signature) {
      problems.push('assertion is not a JWT');
    } else {
      signatureVerified = verify(
        'sha256',
        Buffer.from(`${header}.${claims}`),
        this.publicKey,
        Buffer.from(signature, 'base64url'),
      );
      if (!signatureVerified) problems.push('assertion signature does not verify with the account key');
      problems.push(...this.assertionProblems(assertion));
    }
    let accessToken: string | undefined;
    let status: number;
    const scripted = problems.length > 0 ? undefined : this.tokenScript.shift();
    if (problems.length > 0) {
      status = 400;
      json(res, status, { error: 'invalid_grant', error_description: problems.join('; ') });
    } else if (scripted) {
      status = scripted.status;
      json(res, status, scripted.body ?? {}, scripted.headers);
    } else {
      status = 200;
      accessToken = `ya29.c.${randomBytes(48).toString('base64url')}`;
      this.issued.add(accessToken);
      json(res, status, {
        access_token: accessToken,
        expires_in: this.accessTokenLifetimeS,
        token_type: 'Bearer',
      });
    }
    this.problemLog.push(...problems.map((problem) => `token endpoint: ${problem}`));
    this.tokenRequests.record({
      at: Date.now(),
      assertion,
      signatureVerified,
      accessToken,
      status,
      problems,
    });
  }

  private assertionProblems({ header, claims }: JwtParts): string[] {
    const problems: string[] = [];
    if (header.alg !== 'RS256') problems.push(`alg ${String(header.alg)}`);
    const { iss, scope, aud, iat, exp } = claims;
    if (iss !== this.clientEmail) problems.push(`iss ${String(iss)}`);
    if (typeof scope !== 'string' || !scope.split(' ').includes(FCM_SCOPE)) {
      problems.push(`scope ${String(scope)}`);
    }
    if (aud !== this.tokenUrl) problems.push(`aud ${String(aud)}`);
    const now = Math.floor(this.clock() / 1000);
    if (typeof iat !== 'number' || !Number.isInteger(iat) || Math.abs(iat - now) > MAX_CLOCK_SKEW_S) {
      problems.push(`iat ${String(iat)} (now ${now})`);
    } else if (typeof exp !== 'number' || exp <= iat || exp - iat > MAX_ASSERTION_LIFETIME_S) {
      problems.push(`exp ${String(exp)} for iat ${iat}`);
    }
    return problems;
  }

  private send(req: IncomingMessage, body: string, res: ServerResponse): void {
    const problems: string[] = [];
    const path = req.url ?? '';
    if (path !== `/v1/projects/${this.projectId}/messages:send`) problems.push(`path ${path}`);
    if (!req.headers['content-type']?.startsWith('application/json')) {
      problems.push(`content-type ${req.headers['content-type']}`);
    }
    const authorization = req.headers.authorization ?? '';
    const accessToken = authorization.startsWith('Bearer ')
      ? authorization.slice('Bearer '.length)
      : undefined;
    const expired = accessToken !== undefined && this.expired.has(accessToken);
    const authorized = accessToken !== undefined && this.issued.has(accessToken) && !expired;
    let message: FcmMessage | undefined;
    try {
      message = (JSON.parse(body) as { message?: FcmMessage }).message;
    } catch {
      problems.push('body is not JSON');
    }
    if (message) problems.push(...messageProblems(message));
    else if (problems.length === 0) problems.push('no message');
    const send: ReceivedFcmSend = {
      at: Date.now(),
      path,
      headers: req.headers,
      accessToken,
      authorized,
      deviceToken: typeof message?.token === 'string' ? message.token : '',
      message,
      status: 0,
      problems,
    };

    if (!authorized) {
      if (!expired) {
        problems.push(accessToken ? 'bearer token was not issued by the token endpoint' : 'no bearer token');
      }
      send.status = 401;
      json(
        res,
        send.status,
        fcmError(
          401,
          'UNAUTHENTICATED',
          'Request had invalid authentication credentials. Expected OAuth 2 access token.',
        ),
      );
    } else if (problems.length > 0) {
      send.status = 400;
      json(res, send.status, fcmError(400, 'INVALID_ARGUMENT', `Invalid message: ${problems.join('; ')}`));
    } else {
      const scripted = this.scripts.get(send.deviceToken)?.shift() ?? 200;
      const answer = typeof scripted === 'function' ? scripted(send) : scripted;
      if (answer !== 'hang') {
        const response = typeof answer === 'number' ? { status: answer } : answer;
        send.status = response.status;
        json(
          res,
          send.status,
          response.body ??
            (send.status === 200
              ? { name: `projects/${this.projectId}/messages/0:${randomBytes(8).toString('hex')}` }
              : fcmError(send.status, 'INTERNAL', 'Internal error encountered.')),
          response.headers,
        );
      }
    }
    this.problemLog.push(...problems.map((problem) => `send: ${problem}`));
    this.sendRequests.record(send);
  }
}

/**
 * A Google API error body, e.g. `fcmError(404, 'NOT_FOUND', 'Requested entity was not found.',
 * 'UNREGISTERED')` for a token whose app was uninstalled.
 */
export function fcmError(code: number, status: string, message: string, fcmErrorCode?: string): unknown {
  return {
    error: {
      code,
      message,
      status,
      details: fcmErrorCode
        ? [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: fcmErrorCode }]
        : [],
    },
  };
}

/** What FCM's validation refuses with INVALID_ARGUMENT. */
function messageProblems(message: FcmMessage): string[] {
  const problems: string[] = [];
  if (typeof message.token !== 'string' || message.token === '') problems.push('message.token missing');
  for (const [key, value] of Object.entries(message.data ?? {})) {
    if (typeof value !== 'string') problems.push(`message.data.${key} is not a string`);
  }
  const ttl = message.android?.ttl;
  if (ttl !== undefined && !/^\d+(\.\d{1,9})?s$/.test(ttl)) problems.push(`message.android.ttl ${ttl}`);
  const count = message.android?.notification?.notification_count;
  if (count !== undefined && !Number.isInteger(count)) problems.push(`notification_count ${count}`);
  for (const [name, value] of Object.entries(message.apns?.headers ?? {})) {
    if (typeof value !== 'string') problems.push(`message.apns.headers.${name} is not a string`);
  }
  return problems;
}

function decodeJwt(header: string, claims: string): JwtParts | undefined {
  try {
    return {
      header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<string, unknown>,
      claims: JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as Record<string, unknown>,
    };
  } catch {
    return undefined;
  }
}

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
  res.end(JSON.stringify(body));
}
