import { createHash, generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import {
  createSecureServer,
  type Http2SecureServer,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
  type ServerHttp2Session,
  type ServerHttp2Stream,
} from 'node:http2';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApnsPushSender, readApnsKey, type ApnsPushSenderOptions } from './apns-push-sender';
import type { PushNotificationContent, PushTarget } from './push-sender.port';

const KEY_ID = 'ABC123DEFG';
const TEAM_ID = 'DEF123GHIJ';
const BUNDLE_ID = 'com.example.parley';
const DEVICE_TOKEN = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';

const signingKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const SIGNING_KEY_PEM = signingKey.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

const target: PushTarget = { deviceId: 'device-1', platform: 'apns', token: DEVICE_TOKEN };
const content: PushNotificationContent = {
  title: 'Ana',
  body: 'Is the flat still free?',
  collapseKey: 'conversation:6f1c1a52-3f59-4a3e-9d3c-3a4f0f7c2b10',
  badge: 3,
  data: { conversation_id: '6f1c1a52-3f59-4a3e-9d3c-3a4f0f7c2b10', message_id: 'm-1', seq: '12' },
  ttlSeconds: 86_400,
};

// --- A self-signed TLS certificate for 127.0.0.1, built with node:crypto alone (no openssl binary).

function der(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const length: number[] = [];
  for (let n = body.length; n > 0; n >>= 8) length.unshift(n & 0xff);
  const header = body.length < 0x80 ? [tag, body.length] : [tag, 0x80 | length.length, ...length];
  return Buffer.concat([Buffer.from(header), body]);
}

const sequence = (...parts: Buffer[]) => der(0x30, ...parts);

function oid(dotted: string): Buffer {
  const [first, second, ...rest] = dotted.split('.').map(Number);
  const bytes = [40 * first + second];
  for (const arc of rest) {
    const groups = [arc & 0x7f];
    for (let v = arc >> 7; v > 0; v >>= 7) groups.unshift((v & 0x7f) | 0x80);
    bytes.push(...groups);
  }
  return der(0x06, Buffer.from(bytes));
}

const utcTime = (date: Date) =>
  der(0x17, Buffer.from(`${date.toISOString().replace(/[-:T]/g, '').slice(2, 14)}Z`));

function selfSignedCertificate(): { key: string; cert: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ecdsaWithSha256 = sequence(oid('1.2.840.10045.4.3.2'));
  const name = sequence(der(0x31, sequence(oid('2.5.4.3'), der(0x0c, Buffer.from('127.0.0.1')))));
  const serial = randomBytes(8);
  serial[0] &= 0x7f;
  const now = Date.now();
  const tbs = sequence(
    der(0xa0, der(0x02, Buffer.from([2]))), // v3
    der(0x02, serial),
    ecdsaWithSha256,
    name,
    sequence(utcTime(new Date(now - 60_000)), utcTime(new Date(now + 3_600_000))),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    // subjectAltName: IP 127.0.0.1, which the client checks against the host it dialled.
    der(
      0xa3,
      sequence(sequence(oid('2.5.29.17'), der(0x04, sequence(der(0x87, Buffer.from([127, 0, 0, 1])))))),
    ),
  );
  const certificate = sequence(
    tbs,
    ecdsaWithSha256,
    der(0x03, Buffer.from([0]), sign('sha256', tbs, privateKey)),
  );
  const base64 = certificate.toString('base64').replace(/.{64}/g, '$&\n');
  return {
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    cert: `-----BEGIN CERTIFICATE-----\n${base64.trimEnd()}\n-----END CERTIFICATE-----\n`,
  };
}

const tls = selfSignedCertificate();

// --- A local stand-in for api.push.apple.com.

interface ReceivedPush {
  path: string;
  headers: IncomingHttpHeaders;
  jwt: { header: Record<string, unknown>; claims: Record<string, unknown>; token: string };
  body: Record<string, unknown>;
}

interface FakeAnswer {
  status: number;
  body?: unknown;
  headers?: OutgoingHttpHeaders;
}

class FakeApns {
  readonly problems: string[] = [];
  readonly pushes: ReceivedPush[] = [];
  readonly sessions: ServerHttp2Session[] = [];
  /** Answers each push; `undefined` leaves the stream hanging. */
  onPush: (push: ReceivedPush) => FakeAnswer | undefined = () => ({
    status: 200,
    headers: { 'apns-id': 'EC1BF194-B3B2-424A-89A9-5A918A6E6B5E' },
  });
  private readonly server: Http2SecureServer;

  constructor(private readonly verifyKey: KeyObject) {
    this.server = createSecureServer({ key: tls.key, cert: tls.cert });
    this.server.on('session', (session) => this.sessions.push(session));
    this.server.on('stream', (stream, headers) => this.handle(stream, headers));
  }

  get host(): string {
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    for (const session of this.sessions) session.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      const push = this.check(headers, Buffer.concat(chunks).toString('utf8'));
      if (!push) {
        stream.respond({ ':status': 403, 'content-type': 'application/json' });
        stream.end(JSON.stringify({ reason: 'InvalidProviderToken' }));
        return;
      }
      this.pushes.push(push);
      const answer = this.onPush(push);
      if (!answer) return;
      stream.respond({ ':status': answer.status, ...answer.headers });
      stream.end(answer.body === undefined ? undefined : JSON.stringify(answer.body));
    });
  }

  /** Verifies what Apple verifies; records problems and refuses the push on any. */
  private check(headers: IncomingHttpHeaders, text: string): ReceivedPush | undefined {
    const problems: string[] = [];
    if (headers[':method'] !== 'POST') problems.push(`method ${headers[':method']}`);
    const path = headers[':path'] ?? '';
    if (!/^\/3\/device\/[0-9a-f]+$/.test(path)) problems.push(`path ${path}`);
    const authorization = headers.authorization ?? '';
    const token = authorization.startsWith('bearer ') ? authorization.slice('bearer '.length) : '';
    const [header = '', claims = '', signature = ''] = token.split('.');
    const rawSignature = Buffer.from(signature, 'base64url');
    if (rawSignature.length !== 64) problems.push(`signature of ${rawSignature.length} bytes, not JOSE r||s`);
    const signed = verify(
      'sha256',
      Buffer.from(`${header}.${claims}`),
      { key: this.verifyKey, dsaEncoding: 'ieee-p1363' },
      rawSignature,
    );
    if (!signed) problems.push('provider token signature does not verify');
    let jwt: ReceivedPush['jwt'] | undefined;
    try {
      jwt = {
        header: JSON.parse(Buffer.from(header, 'base64url').toString()),
        claims: JSON.parse(Buffer.from(claims, 'base64url').toString()),
        token,
      };
    } catch {
      problems.push('provider token is not a JWT');
    }
    if (jwt && (jwt.header.alg !== 'ES256' || jwt.header.kid !== KEY_ID)) {
      problems.push(`jwt header ${JSON.stringify(jwt.header)}`);
    }
    if (jwt && (jwt.claims.iss !== TEAM_ID || !Number.isInteger(jwt.claims.iat))) {
      problems.push(`jwt claims ${JSON.stringify(jwt.claims)}`);
    }
    if (headers['apns-push-type'] !== 'alert')
      problems.push(`apns-push-type ${String(headers['apns-push-type'])}`);
    if (!headers['apns-topic']) problems.push('no apns-topic');
    if (!/^\d+$/.test(String(headers['apns-expiration']))) {
      problems.push(`apns-expiration ${String(headers['apns-expiration'])}`);
    }
    const collapseId = String(headers['apns-collapse-id'] ?? '');
    if (Buffer.byteLength(collapseId) > 64) problems.push('apns-collapse-id over 64 bytes');
    let body: Record<string, unknown> | undefined;
    try {
      body = JSON.parse(text);
    } catch {
      problems.push('body is not JSON');
    }
    if (typeof (body?.aps as { alert?: unknown } | undefined)?.alert !== 'object')
      problems.push('no aps.alert');
    this.problems.push(...problems);
    if (problems.length > 0 || !jwt || !body) return undefined;
    return { path, headers, jwt, body };
  }
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe(ApnsPushSender.name, () => {
  let fake: FakeApns;
  let senders: ApnsPushSender[];

  function sender(options: Partial<ApnsPushSenderOptions> = {}): ApnsPushSender {
    const created = new ApnsPushSender({
      key: SIGNING_KEY_PEM,
      keyId: KEY_ID,
      teamId: TEAM_ID,
      bundleId: BUNDLE_ID,
      host: fake.host,
      ca: tls.cert,
      ...options,
    });
    senders.push(created);
    return created;
  }

  function expectNoSecrets(error: string): void {
    expect(error).not.toContain(DEVICE_TOKEN);
    for (const push of fake.pushes) expect(error).not.toContain(push.jwt.token);
  }

  beforeEach(async () => {
    fake = await new FakeApns(signingKey.publicKey).start();
    senders = [];
  });

  afterEach(async () => {
    await Promise.all(senders.map((created) => created.close()));
    await fake.stop();
    // Anything the fake found wrong with a request (it also refused that request).
    expect(fake.problems).toEqual([]);
  });

  it('should send an alert with the documented path, headers and body under an ES256 provider token', async () => {
    const sut = sender();
    const before = Math.floor(Date.now() / 1000);

    const result = await sut.send(target, content);

    expect(result).toEqual({ outcome: 'sent' });
    expect(fake.problems).toEqual([]);
    expect(fake.pushes).toHaveLength(1);
    const [push] = fake.pushes;
    expect(push.path).toBe(`/3/device/${DEVICE_TOKEN}`);
    expect(push.jwt.header).toEqual({ alg: 'ES256', kid: KEY_ID });
    expect(push.jwt.claims.iss).toBe(TEAM_ID);
    expect(push.jwt.claims.iat).toBeGreaterThanOrEqual(before);
    expect(push.jwt.claims.iat).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
    expect(push.headers).toMatchObject({
      'apns-topic': BUNDLE_ID,
      'apns-push-type': 'alert',
      'apns-priority': '10',
      'apns-collapse-id': content.collapseKey,
    });
    const expiration = Number(push.headers['apns-expiration']);
    expect(expiration - content.ttlSeconds).toBeGreaterThanOrEqual(before);
    expect(expiration - content.ttlSeconds).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
    expect(push.body).toEqual({
      aps: {
        alert: { title: 'Ana', body: 'Is the flat still free?' },
        badge: 3,
        sound: 'default',
        'thread-id': content.collapseKey,
      },
      ...content.data,
    });
  });

  it("should address the device's own app id when it registered one", async () => {
    const sut = sender();

    await sut.send({ ...target, appId: 'com.example.parley.host' }, content);
    await sut.send({ ...target, appId: null }, content);

    expect(fake.pushes.map((push) => push.headers['apns-topic'])).toEqual([
      'com.example.parley.host',
      BUNDLE_ID,
    ]);
  });

  it('should hash a collapse key longer than 64 bytes into a stable apns-collapse-id', async () => {
    const sut = sender();
    const collapseKey = `conversation:${'é'.repeat(40)}`;

    await expect(sut.send(target, { ...content, collapseKey })).resolves.toEqual({ outcome: 'sent' });

    expect(fake.pushes[0].headers['apns-collapse-id']).toBe(
      createHash('sha256').update(collapseKey).digest('base64url'),
    );
    expect((fake.pushes[0].body.aps as Record<string, unknown>)['thread-id']).toBe(collapseKey);
  });

  it('should reuse one provider token and one connection across sends', async () => {
    const sut = sender();

    await sut.send(target, content);
    await Promise.all([sut.send(target, content), sut.send(target, content)]);
    await sut.send(target, content);

    expect(fake.pushes).toHaveLength(4);
    expect(new Set(fake.pushes.map((push) => push.jwt.token)).size).toBe(1);
    expect(fake.sessions).toHaveLength(1);
  });

  it('should sign a new provider token once the current one is 50 minutes old', async () => {
    let now = Date.now();
    const sut = sender({ now: () => now });

    await sut.send(target, content);
    now += 49 * 60_000;
    await sut.send(target, content);
    now += 2 * 60_000;
    await sut.send(target, content);

    const [first, second, third] = fake.pushes.map((push) => push.jwt);
    expect(second.token).toBe(first.token);
    expect(third.token).not.toBe(first.token);
    expect(third.claims.iat).toBe(Math.floor(now / 1000));
  });

  it('should sign a fresh provider token and send again on 403 ExpiredProviderToken', async () => {
    const sut = sender();
    await sut.send(target, content);
    const refused = fake.pushes[0].jwt.token;
    fake.onPush = (push) =>
      push.jwt.token === refused
        ? { status: 403, body: { reason: 'ExpiredProviderToken' } }
        : { status: 200 };

    const result = await sut.send(target, content);
    await sut.send(target, content);

    expect(result).toEqual({ outcome: 'sent' });
    expect(fake.pushes).toHaveLength(4);
    expect(fake.pushes[1].jwt.token).toBe(refused);
    expect(fake.pushes[2].jwt.token).not.toBe(refused);
    // The fresh token is kept for later sends.
    expect(fake.pushes[3].jwt.token).toBe(fake.pushes[2].jwt.token);
  });

  it('should answer retry when a fresh provider token is refused as expired too', async () => {
    const sut = sender();
    fake.onPush = () => ({ status: 403, body: { reason: 'ExpiredProviderToken' } });

    const result = await sut.send(target, content);

    expect(result).toEqual({ outcome: 'retry', error: 'APNs 403 ExpiredProviderToken' });
    expect(fake.pushes).toHaveLength(2);
  });

  it.each([
    [400, { reason: 'BadDeviceToken' }, 'APNs 400 BadDeviceToken'],
    [400, { reason: 'DeviceTokenNotForTopic' }, 'APNs 400 DeviceTokenNotForTopic'],
    [410, { reason: 'Unregistered', timestamp: 1_767_225_600_000 }, 'APNs 410 Unregistered'],
    [410, { reason: 'ExpiredToken' }, 'APNs 410 ExpiredToken'],
  ])('should answer gone for %i %j', async (status, body, error) => {
    const sut = sender();
    fake.onPush = () => ({ status, body });

    await expect(sut.send(target, content)).resolves.toEqual({ outcome: 'gone', error });
  });

  it.each([
    [429, 'TooManyRequests'],
    [500, 'InternalServerError'],
    [503, 'ServiceUnavailable'],
  ])('should answer retry for %i %s', async (status, reason) => {
    const sut = sender();
    fake.onPush = () => ({ status, body: { reason } });

    await expect(sut.send(target, content)).resolves.toEqual({
      outcome: 'retry',
      error: `APNs ${status} ${reason}`,
    });
  });

  it('should honour a Retry-After on a retry', async () => {
    const sut = sender();
    fake.onPush = () => ({
      status: 503,
      body: { reason: 'ServiceUnavailable' },
      headers: { 'retry-after': '12' },
    });

    await expect(sut.send(target, content)).resolves.toEqual({
      outcome: 'retry',
      error: 'APNs 503 ServiceUnavailable',
      retryAfterMs: 12_000,
    });
  });

  it.each([
    [400, 'BadCollapseId'],
    [403, 'InvalidProviderToken'],
    [413, 'PayloadTooLarge'],
  ])('should answer failed with the reason for %i %s', async (status, reason) => {
    const sut = sender();
    fake.onPush = () => ({ status, body: { reason } });

    await expect(sut.send(target, content)).resolves.toEqual({
      outcome: 'failed',
      error: `APNs ${status} ${reason}`,
    });
  });

  it('should never quote the device token or the provider token in an error', async () => {
    const sut = sender();
    fake.onPush = (push) => ({
      status: 400,
      body: { reason: `BadPath ${push.path} ${String(push.headers.authorization)}` },
    });

    const result = await sut.send(target, content);

    expect(result).toMatchObject({ outcome: 'failed', error: expect.stringContaining('[redacted]') });
    expectNoSecrets((result as { error: string }).error);
  });

  it('should refuse a device token that is not hex without sending it', async () => {
    const sut = sender();

    const result = await sut.send({ ...target, token: '../../3/device/abc?x=1' }, content);

    expect(result).toEqual({ outcome: 'gone', error: 'APNs device token is not a hex string' });
    expect(fake.pushes).toHaveLength(0);
    expect(fake.sessions).toHaveLength(0);
  });

  it('should reconnect after the server drops the connection', async () => {
    const sut = sender();
    await sut.send(target, content);
    const dropped = new Promise((resolve) => fake.sessions[0].once('close', resolve));
    fake.sessions[0].destroy();
    await dropped;

    // A send racing the news of the drop may fail as retryable; the one after it must not.
    const first = await sut.send(target, content);
    const result = first.outcome === 'sent' ? first : await sut.send(target, content);

    expect(first.outcome === 'sent' || first.outcome === 'retry').toBe(true);
    expect(result).toEqual({ outcome: 'sent' });
    expect(fake.sessions).toHaveLength(2);
  });

  it('should answer retry when APNs does not answer in time, and use a new connection after', async () => {
    const sut = sender({ timeoutMs: 200 });
    fake.onPush = () => undefined;

    const result = await sut.send(target, content);
    fake.onPush = () => ({ status: 200 });
    const next = await sut.send(target, content);

    expect(result).toEqual({ outcome: 'retry', error: 'APNs request failed: timed out after 200 ms' });
    expect(next).toEqual({ outcome: 'sent' });
    expect(fake.sessions).toHaveLength(2);
  });

  it('should answer retry when APNs cannot be reached', async () => {
    const sut = sender({ host: `https://127.0.0.1:${await closedPort()}` });

    const result = await sut.send(target, content);

    expect(result).toEqual({ outcome: 'retry', error: expect.stringContaining('ECONNREFUSED') });
  });

  it('should verify the server certificate', async () => {
    const sut = sender({ ca: undefined });

    const result = await sut.send(target, content);

    expect(result).toEqual({ outcome: 'retry', error: expect.stringContaining('self-signed certificate') });
    expect(fake.pushes).toHaveLength(0);
  });

  it('should close its connection on close()', async () => {
    const sut = sender();
    await sut.send(target, content);

    const closed = new Promise((resolve) => fake.sessions[0].once('close', resolve));

    await sut.close();

    await expect(closed).resolves.toBeUndefined();
    expect(fake.sessions).toHaveLength(1);
  });
});

describe(readApnsKey.name, () => {
  let dir: string;

  function file(text: string): string {
    const path = join(dir, 'AuthKey_ABC123DEFG.p8');
    writeFileSync(path, text);
    return path;
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-apns-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('should read an EC P-256 .p8 key', () => {
    expect(readApnsKey(file(SIGNING_KEY_PEM))).toBe(SIGNING_KEY_PEM);
  });

  it('should name a file it cannot read', () => {
    const missing = join(dir, 'missing.p8');

    expect(() => readApnsKey(missing)).toThrow(`Cannot read the APNs key file ${missing}: ENOENT`);
  });

  it('should reject a file that is no PEM key', () => {
    const path = file('not a key');

    expect(() => readApnsKey(path)).toThrow(`The APNs key file ${path} is not a PEM private key`);
  });

  it('should reject a key that is not EC P-256', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    const path = file(rsa.export({ type: 'pkcs8', format: 'pem' }).toString());

    expect(() => readApnsKey(path)).toThrow(`The APNs key file ${path} is not an EC P-256 private key`);
  });
});
