import { createHash, generateKeyPairSync, verify, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FcmPushSender, readFcmServiceAccount, type FcmServiceAccount } from './fcm-push-sender';
import type { PushNotificationContent, PushTarget } from './push-sender.port';

const PROJECT_ID = 'parley-test';
const CLIENT_EMAIL = 'push@parley-test.iam.gserviceaccount.com';
const SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
const DEVICE_TOKEN = 'fcm-device-token-e5Qx:APA91bHun4MxP5egoKMwt2KZFBaFUH';

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PRIVATE_KEY_PEM = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

const target: PushTarget = { deviceId: 'device-1', platform: 'fcm', token: DEVICE_TOKEN };
const content: PushNotificationContent = {
  title: 'Ana',
  body: 'Is the flat still free?',
  collapseKey: 'conversation:6f1c1a52-3f59-4a3e-9d3c-3a4f0f7c2b10',
  badge: 3,
  data: { conversation_id: '6f1c1a52-3f59-4a3e-9d3c-3a4f0f7c2b10', message_id: 'm-1', seq: '12' },
  ttlSeconds: 86_400,
};

interface JwtParts {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

interface ReceivedSend {
  path: string;
  authorization: string | undefined;
  body: { message: Record<string, unknown> };
}

type SendHandler = (send: ReceivedSend, res: ServerResponse) => void;

/** A local stand-in for Google's OAuth2 token endpoint and the FCM HTTP v1 send endpoint. */
class FakeFcm {
  readonly problems: string[] = [];
  readonly assertions: JwtParts[] = [];
  readonly sends: ReceivedSend[] = [];
  /** Access tokens the send endpoint accepts. */
  readonly valid = new Set<string>();
  expiresIn = 3600;
  /** When set, answers the token endpoint instead of issuing a token. */
  onToken?: (res: ServerResponse) => void;
  onSend: SendHandler = (_send, res) => json(res, 200, { name: `projects/${PROJECT_ID}/messages/0:1` });
  private issued = 0;
  private readonly server: Server;

  constructor(private readonly verifyKey: KeyObject) {
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get tokenUrl(): string {
    return `${this.url}/token`;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    if (req.method === 'POST' && req.url === '/token') return this.token(req, body, res);
    if (req.method === 'POST' && req.url?.endsWith('/messages:send')) return this.send(req, body, res);
    this.problems.push(`unexpected ${req.method} ${req.url}`);
    json(res, 404, { error: { code: 404, message: 'not found', status: 'NOT_FOUND' } });
  }

  private token(req: IncomingMessage, body: string, res: ServerResponse): void {
    const refuse = (problem: string) => {
      this.problems.push(problem);
      json(res, 400, { error: 'invalid_grant', error_description: problem });
    };
    if (req.headers['content-type'] !== 'application/x-www-form-urlencoded') {
      return refuse(`token content-type ${req.headers['content-type']}`);
    }
    const form = new URLSearchParams(body);
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      return refuse(`grant_type ${form.get('grant_type')}`);
    }
    const [header, claims, signature] = (form.get('assertion') ?? '').split('.');
    if (!header || !claims || !signature) return refuse('assertion is not a JWT');
    const signed = verify(
      'sha256',
      Buffer.from(`${header}.${claims}`),
      this.verifyKey,
      Buffer.from(signature, 'base64url'),
    );
    if (!signed) return refuse('assertion signature does not verify');
    const parts: JwtParts = {
      header: JSON.parse(Buffer.from(header, 'base64url').toString()),
      claims: JSON.parse(Buffer.from(claims, 'base64url').toString()),
    };
    this.assertions.push(parts);
    if (parts.header.alg !== 'RS256') return refuse(`alg ${String(parts.header.alg)}`);
    const { iss, scope, aud, iat, exp } = parts.claims;
    if (iss !== CLIENT_EMAIL) return refuse(`iss ${String(iss)}`);
    if (scope !== SCOPE) return refuse(`scope ${String(scope)}`);
    if (aud !== this.tokenUrl) return refuse(`aud ${String(aud)}`);
    if (typeof iat !== 'number' || !Number.isInteger(iat)) return refuse(`iat ${String(iat)}`);
    if (exp !== iat + 3600) return refuse(`exp ${String(exp)} for iat ${iat}`);
    if (this.onToken) return this.onToken(res);
    const accessToken = `ya29.fake-access-token-${++this.issued}`;
    this.valid.add(accessToken);
    json(res, 200, { access_token: accessToken, expires_in: this.expiresIn, token_type: 'Bearer' });
  }

  private send(req: IncomingMessage, body: string, res: ServerResponse): void {
    const authorization = req.headers.authorization;
    const send: ReceivedSend = { path: req.url ?? '', authorization, body: JSON.parse(body) };
    this.sends.push(send);
    if (req.url !== `/v1/projects/${PROJECT_ID}/messages:send`) this.problems.push(`send path ${req.url}`);
    if (!req.headers['content-type']?.startsWith('application/json')) {
      this.problems.push(`send content-type ${req.headers['content-type']}`);
    }
    if (typeof send.body.message?.token !== 'string') this.problems.push('message.token missing');
    const bearer = authorization?.startsWith('Bearer ') ? authorization.slice('Bearer '.length) : undefined;
    if (!bearer || !this.valid.has(bearer)) {
      return json(res, 401, {
        error: {
          code: 401,
          message: 'Request had invalid authentication credentials. Expected OAuth 2 access token.',
          status: 'UNAUTHENTICATED',
        },
      });
    }
    this.onSend(send, res);
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

function fcmError(code: number, status: string, message: string, errorCode?: string): unknown {
  return {
    error: {
      code,
      message,
      status,
      details: errorCode
        ? [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode }]
        : [],
    },
  };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe(FcmPushSender.name, () => {
  let fake: FakeFcm;

  function serviceAccount(): FcmServiceAccount {
    return {
      project_id: PROJECT_ID,
      client_email: CLIENT_EMAIL,
      private_key: PRIVATE_KEY_PEM,
      token_uri: fake.tokenUrl,
    };
  }

  function sender(options: { timeoutMs?: number; now?: () => number; baseUrl?: string } = {}): FcmPushSender {
    return new FcmPushSender({ serviceAccount: serviceAccount(), baseUrl: fake.url, ...options });
  }

  function expectNoSecrets(error: string): void {
    expect(error).not.toContain(DEVICE_TOKEN);
    for (const accessToken of fake.valid) expect(error).not.toContain(accessToken);
    expect(error).not.toContain('ya29.');
  }

  beforeEach(async () => {
    fake = await new FakeFcm(publicKey).start();
  });

  afterEach(async () => {
    await fake.stop();
    // Anything the fake found wrong with a request (it also refused that request).
    expect(fake.problems).toEqual([]);
  });

  it('should send the documented HTTP v1 message with an access token from a signed assertion', async () => {
    const sut = sender();
    const before = Math.floor(Date.now() / 1000);

    const result = await sut.send(target, content);

    expect(result).toEqual({ outcome: 'sent' });
    expect(fake.problems).toEqual([]);
    expect(fake.assertions).toHaveLength(1);
    expect(fake.assertions[0].header).toEqual({ alg: 'RS256', typ: 'JWT' });
    expect(fake.assertions[0].claims.iat).toBeGreaterThanOrEqual(before);
    expect(fake.assertions[0].claims.iat).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
    expect(fake.sends).toHaveLength(1);
    expect(fake.sends[0].path).toBe(`/v1/projects/${PROJECT_ID}/messages:send`);
    expect(fake.sends[0].authorization).toBe('Bearer ya29.fake-access-token-1');
    const expiration = Number(
      (fake.sends[0].body.message.apns as { headers: Record<string, string> }).headers['apns-expiration'],
    );
    expect(expiration - content.ttlSeconds).toBeGreaterThanOrEqual(before);
    expect(fake.sends[0].body).toEqual({
      message: {
        token: DEVICE_TOKEN,
        notification: { title: 'Ana', body: 'Is the flat still free?' },
        data: content.data,
        android: {
          collapse_key: content.collapseKey,
          ttl: '86400s',
          notification: { tag: content.collapseKey, notification_count: 3 },
        },
        apns: {
          headers: { 'apns-collapse-id': content.collapseKey, 'apns-expiration': String(expiration) },
          payload: { aps: { badge: 3 } },
        },
      },
    });
  });

  it('should take the token endpoint from tokenUrl over the key file token_uri', async () => {
    const sut = new FcmPushSender({
      serviceAccount: { ...serviceAccount(), token_uri: 'http://127.0.0.1:1/never' },
      baseUrl: fake.url,
      tokenUrl: fake.tokenUrl,
    });

    await expect(sut.send(target, content)).resolves.toEqual({ outcome: 'sent' });
    expect(fake.assertions).toHaveLength(1);
    expect(fake.problems).toEqual([]);
  });

  it('should hash a collapse key longer than APNs allows into a stable 64-byte-or-shorter id', async () => {
    const sut = sender();
    const collapseKey = `conversation:${'x'.repeat(80)}`;

    await sut.send(target, { ...content, collapseKey });

    const apns = fake.sends[0].body.message.apns as { headers: Record<string, string> };
    expect(apns.headers['apns-collapse-id']).toBe(
      createHash('sha256').update(collapseKey).digest('base64url'),
    );
    expect(Buffer.byteLength(apns.headers['apns-collapse-id'])).toBeLessThanOrEqual(64);
    expect((fake.sends[0].body.message.android as { collapse_key: string }).collapse_key).toBe(collapseKey);
  });

  it('should reuse the access token across sends', async () => {
    const sut = sender();

    for (let i = 0; i < 3; i++) await expect(sut.send(target, content)).resolves.toEqual({ outcome: 'sent' });

    expect(fake.assertions).toHaveLength(1);
    expect(fake.sends.map((send) => send.authorization)).toEqual(
      Array(3).fill('Bearer ya29.fake-access-token-1'),
    );
  });

  it('should share one token request between concurrent sends', async () => {
    const sut = sender();

    const results = await Promise.all(Array.from({ length: 5 }, () => sut.send(target, content)));

    expect(results).toEqual(Array(5).fill({ outcome: 'sent' }));
    expect(fake.assertions).toHaveLength(1);
    expect(fake.sends).toHaveLength(5);
  });

  it('should fetch a new access token five minutes before the old one expires', async () => {
    let now = Date.now();
    const sut = sender({ now: () => now });

    await sut.send(target, content);
    now += 54 * 60_000;
    await sut.send(target, content);
    expect(fake.assertions).toHaveLength(1);
    now += 2 * 60_000;
    await sut.send(target, content);

    expect(fake.assertions).toHaveLength(2);
    expect(fake.assertions[1].claims.iat).toBe(Math.floor(now / 1000));
    expect(fake.sends[2].authorization).toBe('Bearer ya29.fake-access-token-2');
  });

  it('should drop a rejected access token (401) and send again with a new one', async () => {
    const sut = sender();
    await sut.send(target, content);
    fake.valid.clear();

    const result = await sut.send(target, content);

    expect(result).toEqual({ outcome: 'sent' });
    expect(fake.assertions).toHaveLength(2);
    expect(fake.sends.map((send) => send.authorization)).toEqual([
      'Bearer ya29.fake-access-token-1',
      'Bearer ya29.fake-access-token-1',
      'Bearer ya29.fake-access-token-2',
    ]);
  });

  it('should answer retry when a fresh access token is refused too', async () => {
    const sut = sender();
    fake.onSend = (_send, res) =>
      json(res, 401, fcmError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.'));

    const result = await sut.send(target, content);

    expect(result).toEqual({ outcome: 'retry', error: expect.stringContaining('FCM 401 UNAUTHENTICATED') });
    expect(fake.assertions).toHaveLength(2);
    expect(fake.sends).toHaveLength(2);
  });

  it('should answer gone for an unregistered token (404 UNREGISTERED)', async () => {
    const sut = sender();
    fake.onSend = (_send, res) =>
      json(res, 404, fcmError(404, 'NOT_FOUND', 'Requested entity was not found.', 'UNREGISTERED'));

    const result = await sut.send(target, content);

    expect(result).toEqual({
      outcome: 'gone',
      error: 'FCM 404 UNREGISTERED: Requested entity was not found.',
    });
  });

  it('should answer gone for an invalid registration token (400 INVALID_ARGUMENT)', async () => {
    const sut = sender();
    fake.onSend = (_send, res) =>
      json(
        res,
        400,
        fcmError(
          400,
          'INVALID_ARGUMENT',
          'The registration token is not a valid FCM registration token',
          'INVALID_ARGUMENT',
        ),
      );

    const result = await sut.send(target, content);

    expect(result).toEqual({
      outcome: 'gone',
      error: 'FCM 400 INVALID_ARGUMENT: The registration token is not a valid FCM registration token',
    });
  });

  it('should answer failed for an INVALID_ARGUMENT about anything but the token', async () => {
    const sut = sender();
    fake.onSend = (_send, res) =>
      json(
        res,
        400,
        fcmError(
          400,
          'INVALID_ARGUMENT',
          'Invalid value at \'message.android.ttl\' (type.googleapis.com/google.protobuf.Duration), Field "ttl"',
          'INVALID_ARGUMENT',
        ),
      );

    const result = await sut.send(target, content);

    expect(result).toEqual({ outcome: 'failed', error: expect.stringContaining('message.android.ttl') });
  });

  it('should answer retry after the Retry-After seconds of a 429', async () => {
    const sut = sender();
    fake.onSend = (_send, res) =>
      json(
        res,
        429,
        fcmError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded for this device.', 'QUOTA_EXCEEDED'),
        { 'retry-after': '7' },
      );

    const result = await sut.send(target, content);

    expect(result).toEqual({
      outcome: 'retry',
      error: 'FCM 429 QUOTA_EXCEEDED: Quota exceeded for this device.',
      retryAfterMs: 7_000,
    });
  });

  it('should answer retry until the Retry-After date of a 503', async () => {
    const sut = sender();
    const retryAt = new Date(Date.now() + 30_000);
    fake.onSend = (_send, res) =>
      json(res, 503, fcmError(503, 'UNAVAILABLE', 'The service is currently unavailable.', 'UNAVAILABLE'), {
        'retry-after': retryAt.toUTCString(),
      });

    const result = await sut.send(target, content);

    expect(result).toMatchObject({ outcome: 'retry', error: expect.stringContaining('FCM 503 UNAVAILABLE') });
    const { retryAfterMs } = result as { retryAfterMs: number };
    // HTTP dates have whole seconds: up to one second earlier than asked.
    expect(retryAfterMs).toBeGreaterThan(28_000);
    expect(retryAfterMs).toBeLessThanOrEqual(30_000);
  });

  it.each([500, 502, 504])('should answer retry for %i without a Retry-After', async (status) => {
    const sut = sender();
    fake.onSend = (_send, res) =>
      json(res, status, fcmError(status, 'INTERNAL', 'Internal error.', 'INTERNAL'));

    const result = await sut.send(target, content);

    expect(result).toEqual({ outcome: 'retry', error: `FCM ${status} INTERNAL: Internal error.` });
  });

  it('should answer failed for other 4xx without quoting the device or access token', async () => {
    const sut = sender();
    fake.onSend = (send, res) =>
      json(
        res,
        403,
        fcmError(
          403,
          'PERMISSION_DENIED',
          `SenderId mismatch for ${String(send.body.message.token)} (${send.authorization})`,
          'SENDER_ID_MISMATCH',
        ),
      );

    const result = await sut.send(target, content);

    expect(result).toEqual({
      outcome: 'failed',
      error: expect.stringContaining('FCM 403 SENDER_ID_MISMATCH'),
    });
    expect((result as { error: string }).error).toContain('[redacted]');
    expectNoSecrets((result as { error: string }).error);
  });

  it('should answer retry when FCM cannot be reached', async () => {
    const sut = sender({ baseUrl: `http://127.0.0.1:${await closedPort()}` });

    const result = await sut.send(target, content);

    expect(result).toEqual({ outcome: 'retry', error: expect.stringContaining('ECONNREFUSED') });
    expectNoSecrets((result as { error: string }).error);
  });

  it('should answer retry when FCM does not answer in time', async () => {
    const sut = sender({ timeoutMs: 200 });
    fake.onSend = () => undefined;

    const result = await sut.send(target, content);

    expect(result).toEqual({ outcome: 'retry', error: 'FCM send failed: timed out after 200 ms' });
    expect(fake.sends).toHaveLength(1);
  });

  it('should answer retry when the token endpoint refuses, and ask again on the next send', async () => {
    const sut = sender();
    fake.onToken = (res) =>
      json(res, 400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });

    const refused = await sut.send(target, content);
    fake.onToken = undefined;
    const sent = await sut.send(target, content);

    expect(refused).toEqual({
      outcome: 'retry',
      error: 'FCM OAuth token request failed: 400 invalid_grant: Invalid JWT Signature.',
    });
    expect(sent).toEqual({ outcome: 'sent' });
    expect(fake.assertions).toHaveLength(2);
    expect(fake.sends).toHaveLength(1);
  });
});

describe(readFcmServiceAccount.name, () => {
  let dir: string;
  const account = {
    type: 'service_account',
    project_id: PROJECT_ID,
    private_key_id: 'abc123',
    private_key: PRIVATE_KEY_PEM,
    client_email: CLIENT_EMAIL,
    token_uri: 'https://oauth2.googleapis.com/token',
  };

  function file(name: string, text: string): string {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-fcm-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('should read a service account key file', () => {
    const result = readFcmServiceAccount(file('key.json', JSON.stringify(account)));

    expect(result).toEqual({
      project_id: PROJECT_ID,
      client_email: CLIENT_EMAIL,
      private_key: PRIVATE_KEY_PEM,
      token_uri: 'https://oauth2.googleapis.com/token',
    });
  });

  it('should name a file it cannot read', () => {
    const missing = join(dir, 'missing.json');

    expect(() => readFcmServiceAccount(missing)).toThrow(
      `Cannot read the FCM service account file ${missing}: ENOENT`,
    );
  });

  it('should reject a file that is not JSON without quoting it', () => {
    const path = file('key.json', `{"private_key": "${PRIVATE_KEY_PEM.slice(0, 60)}`);

    expect(() => readFcmServiceAccount(path)).toThrow(
      `The FCM service account file ${path} is not valid JSON`,
    );
  });

  it('should list the fields a key file lacks', () => {
    const path = file('key.json', JSON.stringify({ type: 'service_account', private_key: PRIVATE_KEY_PEM }));

    expect(() => readFcmServiceAccount(path)).toThrow(
      `The FCM service account file ${path} is missing project_id, client_email`,
    );
  });

  it('should reject a key file of another type', () => {
    const path = file('key.json', JSON.stringify({ ...account, type: 'authorized_user' }));

    expect(() => readFcmServiceAccount(path)).toThrow(
      'has type "authorized_user", expected "service_account"',
    );
  });

  it('should reject a private_key that is not a PEM key without quoting it', () => {
    const path = file('key.json', JSON.stringify({ ...account, private_key: 'not-a-key-SECRET' }));

    expect(() => readFcmServiceAccount(path)).toThrow('has a private_key that is not a PEM private key');
    expect(() => readFcmServiceAccount(path)).not.toThrow('SECRET');
  });
});
