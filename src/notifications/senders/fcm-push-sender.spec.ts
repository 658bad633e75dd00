import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FCM_SCOPE,
  FakeFcmService,
  fcmError,
  type FakeFcmAnswer,
} from '../../../test/utils/fake-fcm-service';
import { freePort } from '../../../test/utils/free-port';
import { FcmPushSender, readFcmServiceAccount, type FcmServiceAccount } from './fcm-push-sender';
import type { PushNotificationContent, PushResult, PushTarget } from './push-sender.port';

const PROJECT_ID = 'parley-test';
const CLIENT_EMAIL = 'push@parley-test.iam.gserviceaccount.com';
const DEVICE_TOKEN = 'fcm-device-token-e5Qx:APA91bHun4MxP5egoKMwt2KZFBaFUH';

const PRIVATE_KEY_PEM = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();

const target: PushTarget = { deviceId: 'device-1', platform: 'fcm', token: DEVICE_TOKEN };
const content: PushNotificationContent = {
  title: 'Ana',
  body: 'Is the flat still free?',
  collapseKey: 'conversation:6f1c1a52-3f59-4a3e-9d3c-3a4f0f7c2b10',
  badge: 3,
  data: { conversation_id: '6f1c1a52-3f59-4a3e-9d3c-3a4f0f7c2b10', message_id: 'm-1', seq: '12' },
  ttlSeconds: 86_400,
};

describe(FcmPushSender.name, () => {
  let fake: FakeFcmService;
  /** Set by a test that moves time on; the sender and the fake then both read it. */
  let frozenNow: number | undefined;
  const now = (): number => frozenNow ?? Date.now();

  function serviceAccount(): FcmServiceAccount {
    return {
      project_id: PROJECT_ID,
      client_email: CLIENT_EMAIL,
      private_key: PRIVATE_KEY_PEM,
      token_uri: fake.tokenUrl,
    };
  }

  function sender(options: { timeoutMs?: number; baseUrl?: string } = {}): FcmPushSender {
    return new FcmPushSender({ serviceAccount: serviceAccount(), baseUrl: fake.url, now, ...options });
  }

  /** The `Authorization` header for the nth access token the fake issued. */
  function bearer(n: number): string {
    return `Bearer ${fake.issuedAccessTokens[n]}`;
  }

  function expectNoSecrets(error: string): void {
    expect(error).not.toContain(DEVICE_TOKEN);
    for (const accessToken of fake.issuedAccessTokens) expect(error).not.toContain(accessToken);
    expect(error).not.toContain('ya29.');
  }

  beforeEach(async () => {
    frozenNow = undefined;
    fake = await FakeFcmService.start({
      projectId: PROJECT_ID,
      clientEmail: CLIENT_EMAIL,
      privateKeyPem: PRIVATE_KEY_PEM,
      clock: now,
    });
  });

  afterEach(async () => {
    await fake.close();
    // Anything the fake found wrong with a request (it also refused that request).
    expect(fake.problems).toEqual([]);
    // Stricter than Google: the assertion asks for the FCM scope alone, for exactly one hour.
    for (const { assertion } of fake.tokenRequests.all()) {
      expect(assertion?.claims).toMatchObject({
        scope: FCM_SCOPE,
        exp: Number(assertion?.claims.iat) + 3600,
      });
    }
  });

  it('should send the documented HTTP v1 message with an access token from a signed assertion', async () => {
    const sut = sender();
    const before = Math.floor(Date.now() / 1000);

    const result = await sut.send(target, content);

    expect(result).toEqual({ outcome: 'sent' });
    expect(fake.problems).toEqual([]);
    const tokenRequests = fake.tokenRequests.all();
    expect(tokenRequests).toHaveLength(1);
    expect(tokenRequests[0].assertion?.header).toEqual({ alg: 'RS256', typ: 'JWT' });
    expect(tokenRequests[0].assertion?.claims.iat).toBeGreaterThanOrEqual(before);
    expect(tokenRequests[0].assertion?.claims.iat).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
    const sends = fake.sends();
    expect(sends).toHaveLength(1);
    expect(sends[0].path).toBe(`/v1/projects/${PROJECT_ID}/messages:send`);
    expect(sends[0].headers.authorization).toBe(bearer(0));
    const expiration = Number(sends[0].message?.apns?.headers?.['apns-expiration']);
    expect(expiration - content.ttlSeconds).toBeGreaterThanOrEqual(before);
    expect(sends[0].message).toEqual({
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
    });
  });

  it('should take the token endpoint from tokenUrl over the key file token_uri', async () => {
    const sut = new FcmPushSender({
      serviceAccount: { ...serviceAccount(), token_uri: 'http://127.0.0.1:1/never' },
      baseUrl: fake.url,
      tokenUrl: fake.tokenUrl,
    });

    await expect(sut.send(target, content)).resolves.toEqual({ outcome: 'sent' });
    expect(fake.tokenRequests.all()).toHaveLength(1);
    expect(fake.problems).toEqual([]);
  });

  it('should hash a collapse key longer than APNs allows into a stable 64-byte-or-shorter id', async () => {
    const sut = sender();
    const collapseKey = `conversation:${'x'.repeat(80)}`;

    await sut.send(target, { ...content, collapseKey });

    const [{ message }] = fake.sends();
    const collapseId = String(message?.apns?.headers?.['apns-collapse-id']);
    expect(collapseId).toBe(createHash('sha256').update(collapseKey).digest('base64url'));
    expect(Buffer.byteLength(collapseId)).toBeLessThanOrEqual(64);
    expect(message?.android?.collapse_key).toBe(collapseKey);
  });

  it('should reuse the access token across sends', async () => {
    const sut = sender();

    for (let i = 0; i < 3; i++) await expect(sut.send(target, content)).resolves.toEqual({ outcome: 'sent' });

    expect(fake.tokenRequests.all()).toHaveLength(1);
    expect(fake.sends().map((send) => send.headers.authorization)).toEqual(Array(3).fill(bearer(0)));
  });

  it('should share one token request between concurrent sends', async () => {
    const sut = sender();

    const results = await Promise.all(Array.from({ length: 5 }, () => sut.send(target, content)));

    expect(results).toEqual(Array(5).fill({ outcome: 'sent' }));
    expect(fake.tokenRequests.all()).toHaveLength(1);
    expect(fake.sends()).toHaveLength(5);
  });

  it('should fetch a new access token five minutes before the old one expires', async () => {
    frozenNow = Date.now();
    const sut = sender();

    await sut.send(target, content);
    frozenNow += 54 * 60_000;
    await sut.send(target, content);
    expect(fake.tokenRequests.all()).toHaveLength(1);
    frozenNow += 2 * 60_000;
    await sut.send(target, content);

    const tokenRequests = fake.tokenRequests.all();
    expect(tokenRequests).toHaveLength(2);
    expect(tokenRequests[1].assertion?.claims.iat).toBe(Math.floor(frozenNow / 1000));
    expect(fake.sends()[2].headers.authorization).toBe(bearer(1));
  });

  it('should drop a rejected access token (401) and send again with a new one', async () => {
    const sut = sender();
    await sut.send(target, content);
    fake.expireAccessTokens();

    const result = await sut.send(target, content);

    expect(result).toEqual({ outcome: 'sent' });
    expect(fake.tokenRequests.all()).toHaveLength(2);
    expect(fake.sends().map((send) => send.headers.authorization)).toEqual([bearer(0), bearer(0), bearer(1)]);
  });

  it('should answer retry when a fresh access token is refused too', async () => {
    const sut = sender();
    const unauthenticated = {
      status: 401,
      body: fcmError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.'),
    };
    fake.answer(DEVICE_TOKEN, unauthenticated, unauthenticated);

    const result = await sut.send(target, content);

    expect(result).toEqual({ outcome: 'retry', error: expect.stringContaining('FCM 401 UNAUTHENTICATED') });
    expect(fake.tokenRequests.all()).toHaveLength(2);
    expect(fake.sends()).toHaveLength(2);
  });

  it.each<{ title: string; answer: FakeFcmAnswer; result: PushResult }>([
    {
      title: 'gone for an unregistered token (404 UNREGISTERED)',
      answer: {
        status: 404,
        body: fcmError(404, 'NOT_FOUND', 'Requested entity was not found.', 'UNREGISTERED'),
      },
      result: { outcome: 'gone', error: 'FCM 404 UNREGISTERED: Requested entity was not found.' },
    },
    {
      title: 'gone for an invalid registration token (400 INVALID_ARGUMENT)',
      answer: {
        status: 400,
        body: fcmError(
          400,
          'INVALID_ARGUMENT',
          'The registration token is not a valid FCM registration token',
          'INVALID_ARGUMENT',
        ),
      },
      result: {
        outcome: 'gone',
        error: 'FCM 400 INVALID_ARGUMENT: The registration token is not a valid FCM registration token',
      },
    },
    {
      title: 'failed for an INVALID_ARGUMENT about anything but the token',
      answer: {
        status: 400,
        body: fcmError(
          400,
          'INVALID_ARGUMENT',
          'Invalid value at \'message.android.ttl\' (type.googleapis.com/google.protobuf.Duration), Field "ttl"',
          'INVALID_ARGUMENT',
        ),
      },
      result: { outcome: 'failed', error: expect.stringContaining('message.android.ttl') },
    },
    {
      title: 'retry after the Retry-After seconds of a 429',
      answer: {
        status: 429,
        body: fcmError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded for this device.', 'QUOTA_EXCEEDED'),
        headers: { 'retry-after': '7' },
      },
      result: {
        outcome: 'retry',
        error: 'FCM 429 QUOTA_EXCEEDED: Quota exceeded for this device.',
        retryAfterMs: 7_000,
      },
    },
    ...[500, 502, 504].map((status) => ({
      title: `retry for ${status} without a Retry-After`,
      answer: { status, body: fcmError(status, 'INTERNAL', 'Internal error.', 'INTERNAL') },
      result: { outcome: 'retry' as const, error: `FCM ${status} INTERNAL: Internal error.` },
    })),
  ])('should answer $title', async ({ answer, result }) => {
    const sut = sender();
    fake.answer(DEVICE_TOKEN, answer);

    await expect(sut.send(target, content)).resolves.toEqual(result);
  });

  it('should answer retry until the Retry-After date of a 503', async () => {
    const sut = sender();
    const retryAt = new Date(Date.now() + 30_000);
    fake.answer(DEVICE_TOKEN, {
      status: 503,
      body: fcmError(503, 'UNAVAILABLE', 'The service is currently unavailable.', 'UNAVAILABLE'),
      headers: { 'retry-after': retryAt.toUTCString() },
    });

    const result = await sut.send(target, content);

    expect(result).toMatchObject({ outcome: 'retry', error: expect.stringContaining('FCM 503 UNAVAILABLE') });
    const { retryAfterMs } = result as { retryAfterMs: number };
    // HTTP dates have whole seconds: up to one second earlier than asked.
    expect(retryAfterMs).toBeGreaterThan(28_000);
    expect(retryAfterMs).toBeLessThanOrEqual(30_000);
  });

  it('should answer failed for other 4xx without quoting the device or access token', async () => {
    const sut = sender();
    fake.answer(DEVICE_TOKEN, (send) => ({
      status: 403,
      body: fcmError(
        403,
        'PERMISSION_DENIED',
        `SenderId mismatch for ${send.deviceToken} (${String(send.headers.authorization)})`,
        'SENDER_ID_MISMATCH',
      ),
    }));

    const result = await sut.send(target, content);

    expect(result).toEqual({
      outcome: 'failed',
      error: expect.stringContaining('FCM 403 SENDER_ID_MISMATCH'),
    });
    expect((result as { error: string }).error).toContain('[redacted]');
    expectNoSecrets((result as { error: string }).error);
  });

  it('should answer retry when FCM cannot be reached', async () => {
    const sut = sender({ baseUrl: `http://127.0.0.1:${await freePort()}` });

    const result = await sut.send(target, content);

    expect(result).toEqual({ outcome: 'retry', error: expect.stringContaining('ECONNREFUSED') });
    expectNoSecrets((result as { error: string }).error);
  });

  it('should answer retry when FCM does not answer in time', async () => {
    const sut = sender({ timeoutMs: 200 });
    fake.answer(DEVICE_TOKEN, 'hang');

    const result = await sut.send(target, content);

    expect(result).toEqual({ outcome: 'retry', error: 'FCM send failed: timed out after 200 ms' });
    expect(fake.sends()).toHaveLength(1);
  });

  it('should answer retry when the token endpoint refuses, and ask again on the next send', async () => {
    const sut = sender();
    fake.answerTokenRequests({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' },
    });

    const refused = await sut.send(target, content);
    const sent = await sut.send(target, content);

    expect(refused).toEqual({
      outcome: 'retry',
      error: 'FCM OAuth token request failed: 400 invalid_grant: Invalid JWT Signature.',
    });
    expect(sent).toEqual({ outcome: 'sent' });
    expect(fake.tokenRequests.all()).toHaveLength(2);
    expect(fake.sends()).toHaveLength(1);
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
