import { randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { generateVAPIDKeys } from 'web-push';
import { ChatFactory, type TestUser } from './factories/chat-factory';
import { createTestApp, type TestApp } from './utils/create-test-app';
import { WebPushSubscription } from './utils/web-push-subscription';

interface DeviceBody {
  id: string;
  platform: string;
  endpoint_host: string | null;
  app_id: string | null;
  locale: string | null;
  created_at: string;
  updated_at: string;
}

/** Nothing listens there: these suites register devices but never send to them. */
const LOOPBACK_PUSH_ORIGIN = 'http://127.0.0.1:9';

function browserSubscription(): WebPushSubscription {
  return WebPushSubscription.create(`${LOOPBACK_PUSH_ORIGIN}/push/${randomUUID()}`);
}

function fcmToken(): string {
  return `fcm_${randomBytes(48).toString('base64url')}`;
}

function apnsToken(): string {
  return randomBytes(32).toString('hex');
}

describe('push devices (e2e)', () => {
  const vapid = generateVAPIDKeys();
  let t: TestApp;
  let factory: ChatFactory;

  beforeAll(async () => {
    t = await createTestApp({
      PUSH_ALLOW_LOOPBACK_ENDPOINTS: 'true',
      // localhost is an allowed push host here only to prove that its loopback address is still refused.
      PUSH_ENDPOINT_HOSTS: 'fcm.googleapis.com,localhost',
      VAPID_PUBLIC_KEY: vapid.publicKey,
      VAPID_PRIVATE_KEY: vapid.privateKey,
      VAPID_SUBJECT: 'mailto:push-tests@example.test',
    });
    factory = new ChatFactory(t.http);
  });

  afterAll(async () => {
    await t?.close();
  });

  function register(user: TestUser, body: object): ReturnType<TestApp['http']['post']> {
    return t.http.post('/v1/chat/devices').set('Authorization', user.auth).send(body);
  }

  async function devicesOf(user: TestUser): Promise<DeviceBody[]> {
    const response = await t.http.get('/v1/chat/devices').set('Authorization', user.auth).expect(200);
    return response.body as DeviceBody[];
  }

  async function storedRows(token: string): Promise<number> {
    const rows: Array<{ count: number }> = await t.app
      .get(DataSource)
      .query('SELECT count(*)::int AS count FROM chat.push_devices WHERE token = $1', [token]);
    return rows[0].count;
  }

  describe('POST /v1/chat/devices validation', () => {
    const subscription = (): object => browserSubscription().toJSON();
    const withKeys = (keys: Partial<{ p256dh: string; auth: string }>): object => {
      const valid = browserSubscription().toJSON();
      return { ...valid, keys: { ...valid.keys, ...keys } };
    };

    it.each([
      ['webpush without a subscription', { platform: 'webpush' }, 'subscription'],
      [
        'webpush with a token',
        { platform: 'webpush', token: fcmToken(), subscription: subscription() },
        'token',
      ],
      [
        'a compressed p256dh (33 bytes)',
        { platform: 'webpush', subscription: withKeys({ p256dh: randomBytes(33).toString('base64url') }) },
        'subscription.keys.p256dh',
      ],
      [
        'an auth secret of 8 bytes',
        { platform: 'webpush', subscription: withKeys({ auth: randomBytes(8).toString('base64url') }) },
        'subscription.keys.auth',
      ],
      ['a subscription without keys', { platform: 'webpush', subscription: { endpoint: 'x' } }, 'keys'],
      ['a short FCM token', { platform: 'fcm', token: 'too-short' }, 'token'],
      ['an FCM token with a space', { platform: 'fcm', token: `${fcmToken()} x` }, 'token'],
      ['fcm without a token', { platform: 'fcm' }, 'token'],
      [
        'fcm with a subscription',
        { platform: 'fcm', token: fcmToken(), subscription: subscription() },
        'subscription',
      ],
      ['an APNs token that is not hex', { platform: 'apns', token: 'z'.repeat(64) }, 'token'],
      ['an APNs token of 16 bytes', { platform: 'apns', token: randomBytes(16).toString('hex') }, 'token'],
      ['an unknown platform', { platform: 'sms', token: fcmToken() }, 'platform'],
      ['a malformed locale', { platform: 'fcm', token: fcmToken(), locale: 'not a locale!' }, 'locale'],
    ])('should answer 400 naming the field for %s', async (_case, body, field) => {
      const user = await factory.user();

      const response = await register(user, body).expect(400);

      expect(response.body).toMatchObject({
        statusCode: 400,
        code: 'validation_failed',
        message: expect.stringContaining(field) as string,
      });
      expect(await devicesOf(user)).toEqual([]);
    });
  });

  describe('SSRF guard on Web Push endpoints', () => {
    it.each([
      ['an IPv4 literal', 'https://10.0.0.1/push/x', 'IP address'],
      ['a decimal IPv4 literal', 'https://2130706433/push/x', 'IP address'],
      ['an IPv6 literal', 'https://[::1]/push/x', 'IP address'],
      ['a host that is not a push service', 'https://evil.example.com/push/x', 'not an allowed push service'],
      ['an allowed host resolving to loopback', 'https://localhost/push/x', 'private or local address'],
      ['plain http', 'http://fcm.googleapis.com/push/x', 'https'],
      ['credentials in the URL', 'https://user:secret@fcm.googleapis.com/push/x', 'credentials'],
      ['loopback without a port', 'http://127.0.0.1/push/x', 'https'],
    ])('should refuse %s and store nothing', async (_case, endpoint, reason) => {
      const user = await factory.user();
      const subscription = WebPushSubscription.create(endpoint).toJSON();

      const response = await register(user, { platform: 'webpush', subscription }).expect(400);

      expect(response.body).toMatchObject({ code: 'validation_failed' });
      expect((response.body as { message: string }).message).toContain('subscription.endpoint');
      expect((response.body as { message: string }).message).toContain(reason);
      expect(await storedRows(endpoint)).toBe(0);
      expect(await devicesOf(user)).toEqual([]);
    });
  });

  it('should answer 200 with the same device when the caller registers it again, updating its details', async () => {
    const user = await factory.user();
    const browser = browserSubscription();

    const first = await register(user, { platform: 'webpush', subscription: browser.toJSON() }).expect(201);
    const again = await register(user, {
      platform: 'webpush',
      subscription: browser.toJSON(),
      locale: 'es-PE',
    }).expect(200);

    expect(first.body).toEqual({
      id: expect.any(String) as string,
      platform: 'webpush',
      endpoint_host: new URL(LOOPBACK_PUSH_ORIGIN).host,
      app_id: null,
      locale: null,
      created_at: expect.any(String) as string,
      updated_at: expect.any(String) as string,
    });
    expect(again.body).toMatchObject({ id: (first.body as DeviceBody).id, locale: 'es-PE' });
    expect(await devicesOf(user)).toEqual([
      expect.objectContaining({ id: (first.body as DeviceBody).id, locale: 'es-PE' }),
    ]);
    expect(await storedRows(browser.endpoint)).toBe(1);
  });

  it('should move a token registered by another user to the caller', async () => {
    const [phoneSeller, phoneBuyer] = await Promise.all([factory.user('Ana'), factory.user('Beto')]);
    const token = fcmToken();
    const first = await register(phoneSeller, { platform: 'fcm', token }).expect(201);

    const moved = await register(phoneBuyer, { platform: 'fcm', token, app_id: 'pe.parley.app' }).expect(201);

    expect(moved.body).toMatchObject({ platform: 'fcm', endpoint_host: null, app_id: 'pe.parley.app' });
    expect(await devicesOf(phoneSeller)).toEqual([]);
    expect(await devicesOf(phoneBuyer)).toEqual([
      expect.objectContaining({ id: (moved.body as DeviceBody).id }),
    ]);
    expect(await storedRows(token)).toBe(1);
    await t.http
      .delete(`/v1/chat/devices/${(first.body as DeviceBody).id}`)
      .set('Authorization', phoneSeller.auth)
      .expect(404);
  });

  it('should delete the caller’s own device with 204, and answer 404 for another user’s and 400 for a malformed id', async () => {
    const [owner, other] = await Promise.all([factory.user(), factory.user()]);
    const kept = (await register(owner, { platform: 'apns', token: apnsToken() }).expect(201))
      .body as DeviceBody;
    const removed = (await register(owner, { platform: 'fcm', token: fcmToken() }).expect(201))
      .body as DeviceBody;

    await t.http.delete(`/v1/chat/devices/${kept.id}`).set('Authorization', other.auth).expect(404);
    await t.http.delete(`/v1/chat/devices/${randomUUID()}`).set('Authorization', owner.auth).expect(404);
    const malformed = await t.http
      .delete('/v1/chat/devices/not-a-uuid')
      .set('Authorization', owner.auth)
      .expect(400);
    expect(malformed.body).toMatchObject({ code: 'validation_failed' });
    await t.http.delete(`/v1/chat/devices/${removed.id}`).set('Authorization', owner.auth).expect(204);
    await t.http.delete(`/v1/chat/devices/${removed.id}`).set('Authorization', owner.auth).expect(404);

    expect((await devicesOf(owner)).map((device) => device.id)).toEqual([kept.id]);
  });

  it('should list the caller’s devices without tokens or keys, and only to a signed-in caller', async () => {
    const user = await factory.user();
    const browser = browserSubscription();
    const fcm = fcmToken();
    const apns = apnsToken();
    await register(user, { platform: 'webpush', subscription: browser.toJSON(), locale: 'en' }).expect(201);
    await register(user, { platform: 'fcm', token: fcm }).expect(201);
    await register(user, { platform: 'apns', token: apns, app_id: 'pe.parley.app' }).expect(201);

    const devices = await devicesOf(user);

    expect(devices.map((device) => device.platform)).toEqual(['webpush', 'fcm', 'apns']);
    for (const device of devices) {
      expect(Object.keys(device).sort()).toEqual([
        'app_id',
        'created_at',
        'endpoint_host',
        'id',
        'locale',
        'platform',
        'updated_at',
      ]);
    }
    const listed = JSON.stringify(devices);
    for (const secret of [browser.endpoint, browser.keys.p256dh, browser.keys.auth, fcm, apns]) {
      expect(listed).not.toContain(secret);
    }
    await t.http.get('/v1/chat/devices').expect(401);
  });

  it('should give the VAPID public key to anyone', async () => {
    const response = await t.http.get('/v1/chat/push/vapid-public-key').expect(200);

    expect(response.body).toEqual({ public_key: vapid.publicKey });
  });
});
