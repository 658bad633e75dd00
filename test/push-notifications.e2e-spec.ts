import { setTimeout as sleep } from 'node:timers/promises';
import type { Test } from 'supertest';
import { DataSource } from 'typeorm';
import { generateVAPIDKeys } from 'web-push';
import {
  ChatFactory,
  type TestConversation,
  type TestListing,
  type TestUser,
} from './factories/chat-factory';
import { ChatSockets } from './utils/chat-sockets';
import { createTestApp, type TestApp } from './utils/create-test-app';
import { FakeWebPushService } from './utils/fake-web-push-service';
import { ParleyProcess, stopAllParleyProcesses } from './utils/parley-process';
import { createScratchDatabase, type ScratchDatabase } from './utils/scratch-database';
import type { WebPushSubscription } from './utils/web-push-subscription';

jest.setTimeout(30_000);

const VAPID_SUBJECT = 'mailto:push-tests@example.test';
const PUSH_DELAY_MS = 300;
/** The second instance's own delay, for what it stores: long enough to kill it before the push is due. */
const CRASH_PUSH_DELAY_MS = 1_500;

interface OutboxRow {
  status: 'pending' | 'sending' | 'sent' | 'skipped' | 'failed';
  skip_reason: string | null;
  attempts: number;
  message_count: number;
  devices_sent: number;
  error_message: string | null;
  sent_at: Date | null;
  failed_at: Date | null;
}

interface OutboxHealth {
  pending: number;
  oldest_pending_age_seconds: number | null;
  failed_last_hour: number;
}

interface Recipient {
  client: TestUser;
  owner: TestUser;
  listing: TestListing;
  conversation: TestConversation;
  /** The owner's browser, subscribed on the fake push service. */
  browser: WebPushSubscription;
}

/**
 * Web Push end to end: messages go through the outbox to a local stand-in for
 * a browser push service, which verifies the VAPID JWT and decrypts every push.
 * The client writes; the owner is the recipient.
 *
 * On a scratch database of its own: the outbox is global (a worker claims any
 * due push, health counts every row), so other suites must neither take these
 * pushes nor see them.
 */
describe('push notifications (e2e)', () => {
  const vapid = generateVAPIDKeys();
  const pushEnv = {
    PUSH_WORKER: 'true',
    PUSH_POLL_MS: '50',
    PUSH_PREVIEW: 'full',
    PUSH_ALLOW_LOOPBACK_ENDPOINTS: 'true',
    VAPID_PUBLIC_KEY: vapid.publicKey,
    VAPID_PRIVATE_KEY: vapid.privateKey,
    VAPID_SUBJECT,
  };
  let database: ScratchDatabase;
  let t: TestApp;
  let fake: FakeWebPushService;
  let factory: ChatFactory;
  let sockets: ChatSockets;

  beforeAll(async () => {
    [fake, database] = await Promise.all([
      FakeWebPushService.start({ vapidPublicKey: vapid.publicKey, vapidSubject: VAPID_SUBJECT }),
      createScratchDatabase(),
    ]);
    t = await createTestApp({
      ...pushEnv,
      DATABASE_URL: database.url,
      DB_MIGRATIONS_RUN: 'true',
      PUSH_DELAY_MS: String(PUSH_DELAY_MS),
    });
    factory = new ChatFactory(t.http);
    sockets = new ChatSockets(t.wsBaseUrl);
  });

  afterEach(async () => {
    await sockets.closeAll();
  });

  afterAll(async () => {
    await stopAllParleyProcesses();
    await t?.close();
    await Promise.all([fake?.close(), database?.drop()]);
  });

  async function browserOf(user: TestUser): Promise<WebPushSubscription> {
    const browser = fake.subscribe();
    await t.http
      .post('/v1/chat/devices')
      .set('Authorization', user.auth)
      .send({ platform: 'webpush', subscription: browser.toJSON() })
      .expect(201);
    return browser;
  }

  async function recipient(): Promise<Recipient> {
    const pair = await factory.pair();
    return { ...pair, browser: await browserOf(pair.owner) };
  }

  function outboxRows(userId: string, conversationId: string): Promise<OutboxRow[]> {
    return t.app.get(DataSource).query(
      `SELECT status, skip_reason, attempts, message_count, devices_sent, error_message, sent_at, failed_at
       FROM chat.push_notifications WHERE user_id = $1 AND conversation_id = $2 ORDER BY created_at`,
      [userId, conversationId],
    );
  }

  /** Polls the recipient's outbox rows for the conversation until `done` holds for them. */
  async function outboxWhen(
    userId: string,
    conversationId: string,
    done: (rows: OutboxRow[]) => boolean,
    timeoutMs = 5_000,
  ): Promise<OutboxRow[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rows = await outboxRows(userId, conversationId);
      if (done(rows)) return rows;
      if (Date.now() > deadline) {
        throw new Error(`outbox not as awaited within ${timeoutMs} ms: ${JSON.stringify(rows)}`);
      }
      await sleep(25);
    }
  }

  /** The rows once none is left pending or sending. */
  function settledOutbox(userId: string, conversationId: string): Promise<OutboxRow[]> {
    return outboxWhen(
      userId,
      conversationId,
      (rows) => rows.length > 0 && rows.every((row) => row.status !== 'pending' && row.status !== 'sending'),
    );
  }

  async function outboxHealth(): Promise<OutboxHealth> {
    const response = await t.http.get('/v1/chat/health').expect(200);
    return (response.body as { push_outbox: OutboxHealth }).push_outbox;
  }

  async function isMuted(user: TestUser, conversationId: string): Promise<boolean | undefined> {
    const response = await t.http.get('/v1/chat/conversations').set('Authorization', user.auth).expect(200);
    const items = response.body as Array<{ id: string; is_muted: boolean }>;
    return items.find((item) => item.id === conversationId)?.is_muted;
  }

  function patchNotifications(user: TestUser, conversationId: string, body: object): Test {
    return t.http
      .patch(`/v1/chat/conversations/${conversationId}/notifications`)
      .set('Authorization', user.auth)
      .send(body);
  }

  async function setMuted(user: TestUser, conversationId: string, muted: boolean): Promise<unknown> {
    const response = await patchNotifications(user, conversationId, { muted }).expect(200);
    return response.body;
  }

  it('should send one encrypted, VAPID-signed push to an offline recipient', async () => {
    const { client, owner, listing, conversation, browser } = await recipient();

    const message = await factory.send(client, conversation.id, 'Is the flat still available?');

    const [push] = await fake.waitForRequests(browser, 1);
    expect(push.problems).toEqual([]);
    expect(push.vapidClaims).toMatchObject({ aud: fake.origin, sub: VAPID_SUBJECT });
    expect(push.headers).toMatchObject({
      'content-encoding': 'aes128gcm',
      urgency: 'normal',
      topic: conversation.id.replace(/-/g, ''),
    });
    expect(push.payload).toEqual({
      title: 'Clara User · Flat in Miraflores',
      body: 'Is the flat still available?',
      badge: 1,
      tag: conversation.id,
      data: {
        type: 'chat.message',
        conversation_id: conversation.id,
        message_id: message.id,
        seq: '1',
        count: '1',
        listing_id: listing.id,
        sender_user_id: client.id,
      },
    });
    expect(await settledOutbox(owner.id, conversation.id)).toEqual([
      expect.objectContaining({
        status: 'sent',
        attempts: 1,
        message_count: 1,
        devices_sent: 1,
        sent_at: expect.any(Date),
      }),
    ]);
    expect(fake.requestsTo(browser)).toHaveLength(1);
  });

  it('should not push a message delivered to a socket the recipient has open on the conversation', async () => {
    const { client, owner, conversation, browser } = await recipient();
    const ownerWs = await sockets.connect(conversation.id, owner.token);
    await ownerWs.next('connected');

    await factory.send(client, conversation.id, 'You are looking at this already');
    await ownerWs.next('message');

    expect(await settledOutbox(owner.id, conversation.id)).toEqual([
      expect.objectContaining({ status: 'skipped', skip_reason: 'delivered', devices_sent: 0 }),
    ]);
    expect(fake.requestsTo(browser)).toEqual([]);
  });

  it('should push when the recipient has a socket open only on another conversation', async () => {
    const { client, owner, conversation, browser } = await recipient();
    const [otherClient, otherListing] = await Promise.all([
      factory.user('Bruno'),
      factory.listing(owner, 'Room in Barranco'),
    ]);
    const other = await factory.conversation(otherClient, otherListing);
    const ownerWs = await sockets.connect(other.id, owner.token);
    await ownerWs.next('connected');

    await factory.send(client, conversation.id, 'About the flat, not the room');

    const [push] = await fake.waitForRequests(browser, 1);
    expect(push.payload?.data.conversation_id).toBe(conversation.id);
    expect(await settledOutbox(owner.id, conversation.id)).toEqual([
      expect.objectContaining({ status: 'sent', devices_sent: 1 }),
    ]);
    expect(fake.requestsTo(browser)).toHaveLength(1);
  });

  it('should not push a message the recipient reads before the push is due', async () => {
    const { client, owner, conversation, browser } = await recipient();

    await factory.send(client, conversation.id, 'Read me quickly');
    await t.http
      .patch(`/v1/chat/conversations/${conversation.id}/read`)
      .set('Authorization', owner.auth)
      .expect(200);

    expect(await settledOutbox(owner.id, conversation.id)).toEqual([
      expect.objectContaining({ status: 'skipped', skip_reason: 'read' }),
    ]);
    expect(fake.requestsTo(browser)).toEqual([]);
  });

  it('should not push a message its sender deleted before the push was due', async () => {
    const { client, owner, conversation, browser } = await recipient();

    const message = await factory.send(client, conversation.id, 'Oops, wrong chat');
    await t.http.delete(`/v1/chat/messages/${message.id}`).set('Authorization', client.auth).expect(200);

    expect(await settledOutbox(owner.id, conversation.id)).toEqual([
      expect.objectContaining({ status: 'skipped', skip_reason: 'deleted' }),
    ]);
    expect(fake.requestsTo(browser)).toEqual([]);
  });

  it('should announce a burst of five messages in one push', async () => {
    const { client, owner, conversation, browser } = await recipient();

    const sent = [];
    for (let index = 1; index <= 5; index++) {
      sent.push(await factory.send(client, conversation.id, `burst ${index}`));
    }

    const [push] = await fake.waitForRequests(browser, 1);
    expect(push.problems).toEqual([]);
    expect(push.payload).toMatchObject({
      body: '5 new messages from Clara User: burst 5',
      badge: 5,
      data: { count: '5', seq: '5', message_id: sent[4].id },
    });
    expect(await settledOutbox(owner.id, conversation.id)).toEqual([
      expect.objectContaining({ status: 'sent', message_count: 5, devices_sent: 1 }),
    ]);
    expect(fake.requestsTo(browser)).toHaveLength(1);
  });

  it('should not queue pushes while the recipient has muted the conversation, and push again once unmuted', async () => {
    const { client, owner, conversation, browser } = await recipient();

    expect(await setMuted(owner, conversation.id, true)).toEqual({
      conversation_id: conversation.id,
      is_muted: true,
      muted_until: null,
    });
    expect(await isMuted(owner, conversation.id)).toBe(true);
    expect(await isMuted(client, conversation.id)).toBe(false);
    await factory.send(client, conversation.id, 'Nobody hears this');
    // The outbox row is written by the message's own statement: none now means none ever.
    expect(await outboxRows(owner.id, conversation.id)).toEqual([]);

    expect(await setMuted(owner, conversation.id, false)).toEqual({
      conversation_id: conversation.id,
      is_muted: false,
      muted_until: null,
    });
    expect(await isMuted(owner, conversation.id)).toBe(false);
    await factory.send(client, conversation.id, 'Heard again');

    const [push] = await fake.waitForRequests(browser, 1);
    expect(push.payload).toMatchObject({ body: 'Heard again', data: { count: '1', seq: '2' } });
    expect(await settledOutbox(owner.id, conversation.id)).toEqual([
      expect.objectContaining({ status: 'sent', message_count: 1 }),
    ]);
    expect(fake.requestsTo(browser)).toHaveLength(1);
  });

  it('should skip a waiting push when the recipient mutes the conversation before it is due', async () => {
    const { client, owner, conversation, browser } = await recipient();

    await factory.send(client, conversation.id, 'Muted in time');
    await setMuted(owner, conversation.id, true);

    expect(await settledOutbox(owner.id, conversation.id)).toEqual([
      expect.objectContaining({ status: 'skipped', skip_reason: 'muted' }),
    ]);
    expect(fake.requestsTo(browser)).toEqual([]);
  });

  it('should take muted_until, refuse it in the past or without muted, and answer 404 to non-members', async () => {
    const { client, owner, conversation } = await factory.pair();
    const stranger = await factory.user('Sara');
    const until = new Date(Date.now() + 60 * 60_000).toISOString();

    const timed = await patchNotifications(owner, conversation.id, {
      muted: true,
      muted_until: until,
    }).expect(200);
    expect(timed.body).toEqual({ conversation_id: conversation.id, is_muted: true, muted_until: until });
    expect(await isMuted(owner, conversation.id)).toBe(true);
    for (const body of [
      { muted: true, muted_until: new Date(Date.now() - 60_000).toISOString() },
      { muted: false, muted_until: until },
      { muted: true, muted_until: 'tomorrow' },
    ]) {
      const refused = await patchNotifications(client, conversation.id, body).expect(400);
      expect(refused.body).toMatchObject({
        code: 'validation_failed',
        message: expect.stringContaining('muted_until') as string,
      });
    }
    const notBoolean = await patchNotifications(client, conversation.id, { muted: 'yes' }).expect(400);
    expect(notBoolean.body).toMatchObject({ message: expect.stringContaining('muted') as string });
    await patchNotifications(stranger, conversation.id, { muted: true }).expect(404);
    expect(await isMuted(client, conversation.id)).toBe(false);
  });

  it('should retry after a 500 and send once', async () => {
    const { client, owner, conversation, browser } = await recipient();
    fake.respondWith(browser, [500, 201]);

    await factory.send(client, conversation.id, 'Second time lucky');

    const [failed, succeeded] = await fake.waitForRequests(browser, 2);
    expect([failed.status, succeeded.status]).toEqual([500, 201]);
    expect(succeeded.problems).toEqual([]);
    expect(succeeded.payload?.body).toBe('Second time lucky');
    expect(await settledOutbox(owner.id, conversation.id)).toEqual([
      expect.objectContaining({ status: 'sent', attempts: 2, devices_sent: 1, error_message: null }),
    ]);
    expect(fake.requestsTo(browser)).toHaveLength(2);
  });

  it('should wait at least Retry-After after a 429, counting the waiting push in health', async () => {
    const { client, owner, conversation, browser } = await recipient();
    fake.respondWith(browser, [{ status: 429, headers: { 'Retry-After': '1' } }, 201]);

    await factory.send(client, conversation.id, 'Slow down');
    await fake.waitForRequests(browser, 1);
    const waiting = await outboxHealth();
    const [throttled, accepted] = await fake.waitForRequests(browser, 2);

    expect(waiting.pending).toBeGreaterThanOrEqual(1);
    expect(waiting.oldest_pending_age_seconds).toEqual(expect.any(Number));
    expect(throttled.status).toBe(429);
    expect(accepted.at - throttled.at).toBeGreaterThanOrEqual(950);
    expect(await settledOutbox(owner.id, conversation.id)).toEqual([
      expect.objectContaining({ status: 'sent', attempts: 2 }),
    ]);
  });

  it('should keep to Retry-After when a new message joins a push waiting to be retried', async () => {
    const { client, owner, conversation, browser } = await recipient();
    fake.respondWith(browser, [{ status: 429, headers: { 'Retry-After': '2' } }, 201]);

    await factory.send(client, conversation.id, 'First, throttled');
    const [throttled] = await fake.waitForRequests(browser, 1);
    await outboxWhen(owner.id, conversation.id, ([row]) => row.status === 'pending' && row.attempts === 1);
    await factory.send(client, conversation.id, 'Second, joining the wait');

    const [, accepted] = await fake.waitForRequests(browser, 2);
    expect(accepted.payload?.data.count).toBe('2');
    expect(accepted.at - throttled.at).toBeGreaterThanOrEqual(1_950);
  });

  it('should fold a message sent while its push is being retried into the next attempt', async () => {
    const { client, owner, conversation, browser } = await recipient();
    let answer500!: () => void;
    fake.respondWith(browser, [{ status: 500, hold: new Promise<void>((resolve) => (answer500 = resolve)) }]);

    await factory.send(client, conversation.id, 'First, failing');
    await fake.waitForRequests(browser, 1);
    // The first push is being sent: this message opens a batch of its own.
    const second = await factory.send(client, conversation.id, 'Second, while sending');
    answer500();

    const [, retried] = await fake.waitForRequests(browser, 2);
    expect(retried.payload).toMatchObject({
      body: '2 new messages from Clara User: Second, while sending',
      data: { count: '2', message_id: second.id },
    });
    expect(await settledOutbox(owner.id, conversation.id)).toEqual([
      expect.objectContaining({ status: 'skipped', skip_reason: 'merged', attempts: 1 }),
      expect.objectContaining({ status: 'sent', message_count: 2, attempts: 1 }),
    ]);
    expect(fake.requestsTo(browser)).toHaveLength(2);
  });

  it('should still push to the other devices of a recipient whose one subscription is gone', async () => {
    const { client, owner, conversation, browser } = await recipient();
    const laptop = await browserOf(owner);
    fake.respondWith(browser, [410]);

    await factory.send(client, conversation.id, 'To both browsers');

    const [push] = await fake.waitForRequests(laptop, 1);
    expect(push.payload?.body).toBe('To both browsers');
    expect(await settledOutbox(owner.id, conversation.id)).toEqual([
      expect.objectContaining({ status: 'sent', devices_sent: 1 }),
    ]);
    expect(fake.requestsTo(browser)).toHaveLength(1);
    const devices = await t.http.get('/v1/chat/devices').set('Authorization', owner.auth).expect(200);
    expect(devices.body).toHaveLength(1);
  });

  it('should remove a subscription the push service answers 410 for, and not push to it again', async () => {
    const { client, owner, conversation, browser } = await recipient();
    fake.respondWith(browser, [410]);

    await factory.send(client, conversation.id, 'To a browser that left');

    expect(await settledOutbox(owner.id, conversation.id)).toEqual([
      expect.objectContaining({
        status: 'failed',
        attempts: 1,
        devices_sent: 0,
        error_message: expect.stringContaining('410') as string,
        failed_at: expect.any(Date),
      }),
    ]);
    const devices = await t.http.get('/v1/chat/devices').set('Authorization', owner.auth).expect(200);
    expect(devices.body).toEqual([]);
    expect((await outboxHealth()).failed_last_hour).toBeGreaterThanOrEqual(1);

    await factory.send(client, conversation.id, 'Nobody to push to');
    // No device: the message's statement queues no push.
    expect(await outboxRows(owner.id, conversation.id)).toHaveLength(1);
    expect(fake.requestsTo(browser)).toHaveLength(1);
  });

  describe('with a second instance', () => {
    let second: ParleyProcess;

    beforeAll(async () => {
      second = await ParleyProcess.start({
        name: 'push-worker-b',
        env: { ...pushEnv, DATABASE_URL: database.url, PUSH_DELAY_MS: String(CRASH_PUSH_DELAY_MS) },
      });
    }, 90_000);

    it('should send each push once while two workers share the outbox', async () => {
      const recipients = await Promise.all(Array.from({ length: 10 }, () => recipient()));

      await Promise.all(
        recipients.map(({ client, conversation }) =>
          factory.send(client, conversation.id, 'Hello from the pool'),
        ),
      );

      for (const { owner, conversation, browser } of recipients) {
        await fake.waitForRequests(browser, 1);
        expect(await settledOutbox(owner.id, conversation.id)).toEqual([
          expect.objectContaining({ status: 'sent', attempts: 1 }),
        ]);
      }
      expect(recipients.map(({ browser }) => fake.requestsTo(browser).length)).toEqual(Array(10).fill(1));
    });

    // Whichever instance claims the row sends it: the outbox, not the crashed process, holds the push.
    it('should send a push committed just before its instance was killed, once', async () => {
      const { client, owner, conversation, browser } = await recipient();

      await second.http
        .post(`/v1/chat/conversations/${conversation.id}/messages`)
        .set('Authorization', client.auth)
        .send({ content: 'Sent just before the crash' })
        .expect(201);
      await second.kill('SIGKILL');

      expect(await outboxRows(owner.id, conversation.id)).toEqual([
        expect.objectContaining({ status: 'pending', attempts: 0 }),
      ]);
      expect(fake.requestsTo(browser)).toEqual([]);
      await second.restart();

      const [push] = await fake.waitForRequests(browser, 1, 10_000);
      expect(push.payload?.body).toBe('Sent just before the crash');
      expect(await settledOutbox(owner.id, conversation.id)).toEqual([
        expect.objectContaining({ status: 'sent', attempts: 1, devices_sent: 1 }),
      ]);
      expect(fake.requestsTo(browser)).toHaveLength(1);
    });
  });
});
