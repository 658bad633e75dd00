import { generateKeyPairSync, randomUUID, verify, type KeyObject } from 'node:crypto';
import { once } from 'node:events';
import {
  createSecureServer,
  type Http2SecureServer,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
  type ServerHttp2Session,
  type ServerHttp2Stream,
} from 'node:http2';
import type { AddressInfo } from 'node:net';
import { RequestLog } from './request-log';
import { selfSignedCertificate } from './self-signed-certificate';

/** Apple refuses provider tokens older than this. */
const MAX_PROVIDER_TOKEN_AGE_S = 3600;
const MAX_CLOCK_SKEW_S = 300;
const MAX_COLLAPSE_ID_BYTES = 64;
const MAX_PAYLOAD_BYTES = 4096;

/** A status with Apple's `reason` (and, for 410, the `timestamp` in ms) and headers. */
export interface FakeApnsResponse {
  status: number;
  reason?: string;
  timestamp?: number;
  headers?: OutgoingHttpHeaders;
}

/**
 * A status (200 answers with an apns-id), a response, 'hang' (no answer ever: a timeout), or a
 * function of the push (its `status` still 0) that returns one of those.
 */
export type FakeApnsAnswer =
  number | FakeApnsResponse | 'hang' | ((push: ReceivedApnsPush) => number | FakeApnsResponse | 'hang');

export interface ApnsPayload {
  aps?: {
    alert?: { title?: string; body?: string } | string;
    badge?: number;
    sound?: string;
    'thread-id'?: string;
  };
  [custom: string]: unknown;
}

export interface ReceivedApnsPush {
  /** Date.now() when the request arrived. */
  at: number;
  path: string;
  /** From the path /3/device/<token>. */
  deviceToken: string;
  headers: IncomingHttpHeaders;
  /** The provider token as sent (the bearer of the authorization header); '' when none. */
  providerToken: string;
  /** The decoded provider token, when it was a JWT. */
  jwt: { header: Record<string, unknown>; claims: Record<string, unknown> } | undefined;
  /** Whether its ES256 signature verifies with the signing key's public half. */
  jwtVerified: boolean;
  payload: ApnsPayload | undefined;
  /** What the fake answered; 0 when it never did ('hang'). */
  status: number;
  /** Why Apple would refuse the request; empty when every check passed. */
  problems: string[];
}

export interface FakeApnsServiceOptions {
  /** The 10-character Key ID of the signing key. */
  keyId: string;
  teamId: string;
  /** The app (bundle id) the key pushes to: the topic it accepts. */
  bundleId: string;
  /** Further apps of the team, whose topics the key may push to as well. */
  otherBundleIds?: string[];
  /** Milliseconds since the epoch that provider token times are checked against. Default Date.now. */
  clock?: () => number;
}

/**
 * api.push.apple.com on https://127.0.0.1 (HTTP/2, TLS with a self-signed certificate that a
 * client must trust: `certificatePem`). It holds the token signing key (`signingKeyPem`, the .p8
 * Apple would issue) and checks every push as Apple does: the ES256 provider token must verify and
 * name the key and team, the topic must be the app's, the headers and payload well formed.
 * Per device token, a test scripts answers in order (then 200).
 */
export class FakeApnsService {
  readonly pushes = new RequestLog<ReceivedApnsPush>();
  /** PKCS#8 PEM of an EC P-256 key: the AuthKey_<keyId>.p8 file. */
  readonly signingKeyPem: string;
  /** The server's certificate (PEM), to trust as a CA. */
  readonly certificatePem: string;
  private readonly verifyKey: KeyObject;
  private readonly scripts = new Map<string, FakeApnsAnswer[]>();
  private readonly sessionLog: ServerHttp2Session[] = [];
  private readonly problemLog: string[] = [];
  private readonly server: Http2SecureServer;

  private constructor(private readonly options: FakeApnsServiceOptions) {
    const signingKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.signingKeyPem = signingKey.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    this.verifyKey = signingKey.publicKey;
    const tls = selfSignedCertificate();
    this.certificatePem = tls.cert;
    this.server = createSecureServer({ key: tls.key, cert: tls.cert });
    this.server.on('session', (session) => this.sessionLog.push(session));
    this.server.on('stream', (stream, headers) => this.handle(stream, headers));
  }

  static async start(options: FakeApnsServiceOptions): Promise<FakeApnsService> {
    const fake = new FakeApnsService(options);
    await new Promise<void>((resolve, reject) => {
      fake.server.once('error', reject);
      fake.server.listen(0, '127.0.0.1', resolve);
    });
    return fake;
  }

  /** https://127.0.0.1:<port>: APNS_HOST. */
  get host(): string {
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Answers the next pushes to `deviceToken` with these, in order; after them, 200. */
  answer(deviceToken: string, ...answers: FakeApnsAnswer[]): void {
    this.scripts.set(deviceToken, [...(this.scripts.get(deviceToken) ?? []), ...answers]);
  }

  /** Pushes received for `deviceToken` (all pushes without it). */
  received(deviceToken?: string): ReceivedApnsPush[] {
    return this.pushes.all((push) => deviceToken === undefined || push.deviceToken === deviceToken);
  }

  /** Resolves once `count` pushes for `deviceToken` have arrived. */
  waitForPushes(deviceToken: string, count: number, timeoutMs?: number): Promise<ReceivedApnsPush[]> {
    return this.pushes.waitFor(
      (push) => push.deviceToken === deviceToken,
      count,
      `APNs pushes to ${deviceToken.slice(0, 12)}…`,
      timeoutMs,
    );
  }

  /** Every HTTP/2 connection (session) a client opened, in order, closed ones too. */
  get sessions(): ServerHttp2Session[] {
    return [...this.sessionLog];
  }

  /** Closes every open connection from the server's side, as Apple may; resolves once they closed. */
  async dropConnections(): Promise<void> {
    const open = this.sessionLog.filter((session) => !session.closed && !session.destroyed);
    const closed = open.map((session) => once(session, 'close'));
    for (const session of open) session.destroy();
    await Promise.all(closed);
  }

  /**
   * Everything Apple would have refused (the fake refused it too), in arrival order and only ever
   * appended to; [] when all was well.
   */
  get problems(): string[] {
    return [...this.problemLog];
  }

  async close(): Promise<void> {
    for (const session of this.sessionLog) session.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', (error) => this.problemLog.push(`stream error: ${String(error)}`));
    stream.on('end', () => {
      const push = this.check(headers, Buffer.concat(chunks));
      let answer: number | FakeApnsResponse | 'hang';
      if (push.problems.length > 0) {
        const authProblem = push.problems.some((problem) => problem.startsWith('provider token'));
        answer = authProblem
          ? { status: 403, reason: 'InvalidProviderToken' }
          : { status: 400, reason: 'BadRequest' };
      } else {
        const scripted = this.scripts.get(push.deviceToken)?.shift() ?? 200;
        answer = typeof scripted === 'function' ? scripted(push) : scripted;
      }
      const response: FakeApnsResponse | undefined =
        answer === 'hang' ? undefined : typeof answer === 'number' ? { status: answer } : answer;
      push.status = response?.status ?? 0;
      this.problemLog.push(...push.problems);
      this.pushes.record(push);
      if (!response) return;
      const { status, reason, timestamp, headers: extra } = response;
      stream.respond({
        ':status': status,
        'apns-id': String(headers['apns-id'] ?? randomUUID()).toUpperCase(),
        ...(status === 200 ? {} : { 'content-type': 'application/json' }),
        ...extra,
      });
      stream.end(
        status === 200 ? undefined : JSON.stringify({ reason: reason ?? 'InternalServerError', timestamp }),
      );
    });
  }

  /** Verifies what Apple verifies. */
  private check(headers: IncomingHttpHeaders, raw: Buffer): ReceivedApnsPush {
    const problems: string[] = [];
    const path = headers[':path'] ?? '';
    const deviceToken = /^\/3\/device\/([0-9a-fA-F]+)$/.exec(path)?.[1] ?? '';
    if (headers[':method'] !== 'POST') problems.push(`method ${headers[':method']}`);
    if (!deviceToken) problems.push(`path ${path}`);

    const authorization = headers.authorization ?? '';
    const token = authorization.startsWith('bearer ') ? authorization.slice('bearer '.length) : '';
    const [header = '', claims = '', signature = ''] = token.split('.');
    let jwt: ReceivedApnsPush['jwt'];
    try {
      jwt = {
        header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<string, unknown>,
        claims: JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as Record<string, unknown>,
      };
    } catch {
      problems.push('provider token is not a JWT');
    }
    const rawSignature = Buffer.from(signature, 'base64url');
    // JOSE ES256 is r||s, 64 bytes: a DER signature is what OpenSSL gives by default, and Apple refuses it.
    const jwtVerified =
      rawSignature.length === 64 &&
      verify(
        'sha256',
        Buffer.from(`${header}.${claims}`),
        { key: this.verifyKey, dsaEncoding: 'ieee-p1363' },
        rawSignature,
      );
    if (!jwtVerified) problems.push('provider token signature does not verify (ES256, r||s)');
    if (jwt) {
      if (jwt.header.alg !== 'ES256' || jwt.header.kid !== this.options.keyId) {
        problems.push(`provider token header ${JSON.stringify(jwt.header)}`);
      }
      const { iss, iat } = jwt.claims;
      const now = Math.floor((this.options.clock ?? Date.now)() / 1000);
      if (iss !== this.options.teamId) problems.push(`provider token iss ${String(iss)}`);
      if (
        typeof iat !== 'number' ||
        !Number.isInteger(iat) ||
        iat > now + MAX_CLOCK_SKEW_S ||
        now - iat > MAX_PROVIDER_TOKEN_AGE_S
      ) {
        problems.push(`provider token iat ${String(iat)} (now ${now})`);
      }
    }

    const topics = [this.options.bundleId, ...(this.options.otherBundleIds ?? [])];
    if (!topics.includes(String(headers['apns-topic']))) {
      problems.push(`apns-topic ${String(headers['apns-topic'])}`);
    }
    if (!['alert', 'background'].includes(String(headers['apns-push-type']))) {
      problems.push(`apns-push-type ${String(headers['apns-push-type'])}`);
    }
    if (
      headers['apns-priority'] !== undefined &&
      !['5', '10', '1'].includes(String(headers['apns-priority']))
    ) {
      problems.push(`apns-priority ${String(headers['apns-priority'])}`);
    }
    if (headers['apns-expiration'] !== undefined && !/^\d+$/.test(String(headers['apns-expiration']))) {
      problems.push(`apns-expiration ${String(headers['apns-expiration'])}`);
    }
    const collapseId = headers['apns-collapse-id'];
    if (collapseId !== undefined && Buffer.byteLength(String(collapseId)) > MAX_COLLAPSE_ID_BYTES) {
      problems.push(`apns-collapse-id over ${MAX_COLLAPSE_ID_BYTES} bytes`);
    }

    let payload: ApnsPayload | undefined;
    if (raw.length > MAX_PAYLOAD_BYTES) problems.push(`payload of ${raw.length} bytes`);
    try {
      payload = JSON.parse(raw.toString('utf8')) as ApnsPayload;
    } catch {
      problems.push('payload is not JSON');
    }
    if (payload && (typeof payload.aps !== 'object' || payload.aps === null))
      problems.push('no aps dictionary');
    const badge = payload?.aps?.badge;
    if (badge !== undefined && (!Number.isInteger(badge) || badge < 0)) problems.push(`aps.badge ${badge}`);

    return {
      at: Date.now(),
      path,
      deviceToken,
      headers,
      providerToken: token,
      jwt,
      jwtVerified,
      payload,
      status: 0,
      problems,
    };
  }
}
