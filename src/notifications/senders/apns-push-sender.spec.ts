import { createHash, generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeApnsService, type FakeApnsResponse } from '../../../test/utils/fake-apns-service';
import { freePort } from '../../../test/utils/free-port';
import { ApnsPushSender, readApnsKey, type ApnsPushSenderOptions } from './apns-push-sender';
import type { PushNotificationContent, PushResult, PushTarget } from './push-sender.port';

const KEY_ID = 'ABC123DEFG';
const TEAM_ID = 'DEF123GHIJ';
const BUNDLE_ID = 'com.example.parley';
const HOST_APP_BUNDLE_ID = 'com.example.parley.host';
const DEVICE_TOKEN = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';

const target: PushTarget = { deviceId: 'device-1', platform: 'apns', token: DEVICE_TOKEN };
const content: PushNotificationContent = {
  title: 'Ana',
  body: 'Is the flat still free?',
  collapseKey: 'conversation:6f1c1a52-3f59-4a3e-9d3c-3a4f0f7c2b10',
  badge: 3,
  data: { conversation_id: '6f1c1a52-3f59-4a3e-9d3c-3a4f0f7c2b10', message_id: 'm-1', seq: '12' },
  ttlSeconds: 86_400,
};

describe(ApnsPushSender.name, () => {
  let fake: FakeApnsService;
  let senders: ApnsPushSender[];
  /** Set by a test that moves time on; the sender and the fake then both read it. */
  let frozenNow: number | undefined;
  const now = (): number => frozenNow ?? Date.now();

  function sender(options: Partial<ApnsPushSenderOptions> = {}): ApnsPushSender {
    const created = new ApnsPushSender({
      key: fake.signingKeyPem,
      keyId: KEY_ID,
      teamId: TEAM_ID,
      bundleId: BUNDLE_ID,
      host: fake.host,
      ca: fake.certificatePem,
      now,
      ...options,
    });
    senders.push(created);
    return created;
  }

  function expectNoSecrets(error: string): void {
    expect(error).not.toContain(DEVICE_TOKEN);
    for (const push of fake.received()) expect(error).not.toContain(push.providerToken);
  }

  beforeEach(async () => {
    frozenNow = undefined;
    fake = await FakeApnsService.start({
      keyId: KEY_ID,
      teamId: TEAM_ID,
      bundleId: BUNDLE_ID,
      otherBundleIds: [HOST_APP_BUNDLE_ID],
      clock: now,
    });
    senders = [];
  });

  afterEach(async () => {
    await Promise.all(senders.map((created) => created.close()));
    await fake.close();
    // Anything the fake found wrong with a request (it also refused that request).
    expect(fake.problems).toEqual([]);
    // Stricter than Apple: every push is an alert that expires.
    for (const push of fake.received()) {
      expect(push.headers).toMatchObject({
        'apns-push-type': 'alert',
        'apns-expiration': expect.stringMatching(/^\d+$/),
      });
      expect(push.payload?.aps?.alert).toEqual(expect.any(Object));
    }
  });

  it('should send an alert with the documented path, headers and body under an ES256 provider token', async () => {
    const sut = sender();
    const before = Math.floor(Date.now() / 1000);

    const result = await sut.send(target, content);

    expect(result).toEqual({ outcome: 'sent' });
    expect(fake.problems).toEqual([]);
    const pushes = fake.received();
    expect(pushes).toHaveLength(1);
    const [push] = pushes;
    expect(push.path).toBe(`/3/device/${DEVICE_TOKEN}`);
    expect(push.jwtVerified).toBe(true);
    expect(push.jwt?.header).toEqual({ alg: 'ES256', kid: KEY_ID });
    expect(push.jwt?.claims.iss).toBe(TEAM_ID);
    expect(push.jwt?.claims.iat).toBeGreaterThanOrEqual(before);
    expect(push.jwt?.claims.iat).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
    expect(push.headers).toMatchObject({
      'apns-topic': BUNDLE_ID,
      'apns-push-type': 'alert',
      'apns-priority': '10',
      'apns-collapse-id': content.collapseKey,
    });
    const expiration = Number(push.headers['apns-expiration']);
    expect(expiration - content.ttlSeconds).toBeGreaterThanOrEqual(before);
    expect(expiration - content.ttlSeconds).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
    expect(push.payload).toEqual({
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

    await sut.send({ ...target, appId: HOST_APP_BUNDLE_ID }, content);
    await sut.send({ ...target, appId: null }, content);

    expect(fake.received().map((push) => push.headers['apns-topic'])).toEqual([
      HOST_APP_BUNDLE_ID,
      BUNDLE_ID,
    ]);
  });

  it('should hash a collapse key longer than 64 bytes into a stable apns-collapse-id', async () => {
    const sut = sender();
    const collapseKey = `conversation:${'é'.repeat(40)}`;

    await expect(sut.send(target, { ...content, collapseKey })).resolves.toEqual({ outcome: 'sent' });

    const [push] = fake.received();
    expect(push.headers['apns-collapse-id']).toBe(
      createHash('sha256').update(collapseKey).digest('base64url'),
    );
    expect(push.payload?.aps?.['thread-id']).toBe(collapseKey);
  });

  it('should reuse one provider token and one connection across sends', async () => {
    const sut = sender();

    await sut.send(target, content);
    await Promise.all([sut.send(target, content), sut.send(target, content)]);
    await sut.send(target, content);

    const pushes = fake.received();
    expect(pushes).toHaveLength(4);
    expect(new Set(pushes.map((push) => push.providerToken)).size).toBe(1);
    expect(fake.sessions).toHaveLength(1);
  });

  it('should sign a new provider token once the current one is 50 minutes old', async () => {
    frozenNow = Date.now();
    const sut = sender();

    await sut.send(target, content);
    frozenNow += 49 * 60_000;
    await sut.send(target, content);
    frozenNow += 2 * 60_000;
    await sut.send(target, content);

    const [first, second, third] = fake.received();
    expect(second.providerToken).toBe(first.providerToken);
    expect(third.providerToken).not.toBe(first.providerToken);
    expect(third.jwt?.claims.iat).toBe(Math.floor(frozenNow / 1000));
  });

  it('should sign a fresh provider token and send again on 403 ExpiredProviderToken', async () => {
    const sut = sender();
    await sut.send(target, content);
    const refused = fake.received()[0].providerToken;
    fake.answer(DEVICE_TOKEN, (push) =>
      push.providerToken === refused ? { status: 403, reason: 'ExpiredProviderToken' } : 200,
    );

    const result = await sut.send(target, content);
    await sut.send(target, content);

    expect(result).toEqual({ outcome: 'sent' });
    const pushes = fake.received();
    expect(pushes).toHaveLength(4);
    expect(pushes[1].providerToken).toBe(refused);
    expect(pushes[2].providerToken).not.toBe(refused);
    // The fresh token is kept for later sends.
    expect(pushes[3].providerToken).toBe(pushes[2].providerToken);
  });

  it('should answer retry when a fresh provider token is refused as expired too', async () => {
    const sut = sender();
    const expired = { status: 403, reason: 'ExpiredProviderToken' };
    fake.answer(DEVICE_TOKEN, expired, expired);

    const result = await sut.send(target, content);

    expect(result).toEqual({ outcome: 'retry', error: 'APNs 403 ExpiredProviderToken' });
    expect(fake.received()).toHaveLength(2);
  });

  it.each<FakeApnsResponse & { reason: string; outcome: 'gone' | 'retry' | 'failed' }>([
    { status: 400, reason: 'BadDeviceToken', outcome: 'gone' },
    { status: 400, reason: 'DeviceTokenNotForTopic', outcome: 'gone' },
    { status: 410, reason: 'Unregistered', timestamp: 1_767_225_600_000, outcome: 'gone' },
    { status: 410, reason: 'ExpiredToken', outcome: 'gone' },
    { status: 429, reason: 'TooManyRequests', outcome: 'retry' },
    { status: 500, reason: 'InternalServerError', outcome: 'retry' },
    { status: 503, reason: 'ServiceUnavailable', outcome: 'retry' },
    { status: 400, reason: 'BadCollapseId', outcome: 'failed' },
    { status: 403, reason: 'InvalidProviderToken', outcome: 'failed' },
    { status: 413, reason: 'PayloadTooLarge', outcome: 'failed' },
  ])('should answer $outcome for $status $reason', async ({ outcome, ...answer }) => {
    const sut = sender();
    fake.answer(DEVICE_TOKEN, answer);

    await expect(sut.send(target, content)).resolves.toEqual<PushResult>({
      outcome,
      error: `APNs ${answer.status} ${answer.reason}`,
    });
  });

  it('should honour a Retry-After on a retry', async () => {
    const sut = sender();
    fake.answer(DEVICE_TOKEN, {
      status: 503,
      reason: 'ServiceUnavailable',
      headers: { 'retry-after': '12' },
    });

    await expect(sut.send(target, content)).resolves.toEqual({
      outcome: 'retry',
      error: 'APNs 503 ServiceUnavailable',
      retryAfterMs: 12_000,
    });
  });

  it('should never quote the device token or the provider token in an error', async () => {
    const sut = sender();
    fake.answer(DEVICE_TOKEN, (push) => ({
      status: 400,
      reason: `BadPath ${push.path} ${String(push.headers.authorization)}`,
    }));

    const result = await sut.send(target, content);

    expect(result).toMatchObject({ outcome: 'failed', error: expect.stringContaining('[redacted]') });
    expectNoSecrets((result as { error: string }).error);
  });

  it('should refuse a device token that is not hex without sending it', async () => {
    const sut = sender();

    const result = await sut.send({ ...target, token: '../../3/device/abc?x=1' }, content);

    expect(result).toEqual({ outcome: 'gone', error: 'APNs device token is not a hex string' });
    expect(fake.received()).toHaveLength(0);
    expect(fake.sessions).toHaveLength(0);
  });

  it('should reconnect after the server drops the connection', async () => {
    const sut = sender();
    await sut.send(target, content);
    await fake.dropConnections();

    // A send racing the news of the drop may fail as retryable; the one after it must not.
    const first = await sut.send(target, content);
    const result = first.outcome === 'sent' ? first : await sut.send(target, content);

    expect(first.outcome === 'sent' || first.outcome === 'retry').toBe(true);
    expect(result).toEqual({ outcome: 'sent' });
    expect(fake.sessions).toHaveLength(2);
  });

  it('should answer retry when APNs does not answer in time, and use a new connection after', async () => {
    const sut = sender({ timeoutMs: 200 });
    fake.answer(DEVICE_TOKEN, 'hang');

    const result = await sut.send(target, content);
    const next = await sut.send(target, content);

    expect(result).toEqual({ outcome: 'retry', error: 'APNs request failed: timed out after 200 ms' });
    expect(next).toEqual({ outcome: 'sent' });
    expect(fake.sessions).toHaveLength(2);
  });

  it('should answer retry when APNs cannot be reached', async () => {
    const sut = sender({ host: `https://127.0.0.1:${await freePort()}` });

    const result = await sut.send(target, content);

    expect(result).toEqual({ outcome: 'retry', error: expect.stringContaining('ECONNREFUSED') });
  });

  it('should verify the server certificate', async () => {
    const sut = sender({ ca: undefined });

    const result = await sut.send(target, content);

    expect(result).toEqual({ outcome: 'retry', error: expect.stringContaining('self-signed certificate') });
    expect(fake.received()).toHaveLength(0);
  });

  it('should close its connection on close()', async () => {
    const sut = sender();
    await sut.send(target, content);

    const closed = once(fake.sessions[0], 'close');

    await sut.close();

    await expect(closed).resolves.toEqual([]);
    expect(fake.sessions).toHaveLength(1);
  });
});

describe(readApnsKey.name, () => {
  const SIGNING_KEY_PEM = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
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
