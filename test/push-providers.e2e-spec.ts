import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { ChatFactory, type TestUser } from './factories/chat-factory';
import { FakeApnsService } from './utils/fake-apns-service';
import { FakeFcmService, fcmError } from './utils/fake-fcm-service';
import { ParleyProcess, stopAllParleyProcesses } from './utils/parley-process';
import { createScratchDatabase, type ScratchDatabase } from './utils/scratch-database';

jest.setTimeout(60_000);

const APNS_KEY_ID = 'K3Y1D23456';
const APNS_TEAM_ID = 'T3AM1D2345';
const APNS_BUNDLE_ID = 'com.example.parley';
const OUTBOX_TIMEOUT_MS = 15_000;

interface OutboxRow {
  status: 'pending' | 'sending' | 'sent' | 'skipped' | 'failed';
  skip_reason: string | null;
  attempts: number;
  devices_sent: number;
  error_message: string | null;
  title: string;
  body: string;
  message_id: string | null;
}

interface DeviceBody {
  id: string;
  platform: string;
}

/** Like a real one: an instance id, a colon, then "APA91b" and base64url, about 170 characters. */
function fcmRegistrationToken(): string {
  return `${randomBytes(16).toString('base64url').slice(0, 22)}:APA91b${randomBytes(105).toString('base64url')}`;
}

/** 32 bytes as hex, as iOS hands it to the app. */
function apnsDeviceToken(): string {
  return randomBytes(32).toString('hex');
}

/**
 * FCM and APNs end to end: the built server as its own process, configured by environment
 * variables alone, sends through the real outbox worker to local stand-ins for Google's token
 * and FCM endpoints and for api.push.apple.com (HTTP/2 over TLS, trusted through
 * NODE_EXTRA_CA_CERTS), which verify the RS256 assertion, the access token and the ES256 provider
 * token. The client writes over REST; the owner, with no socket open, is the recipient.
 *
 * The process runs on a scratch database of its own: an outbox worker claims any due push, and a
 * push suite running meanwhile in another Jest worker would otherwise take (and log-"send") ours.
 */
describe('FCM and APNs push providers (e2e)', () => {
  let tempDir: string;
  let fcm: FakeFcmService;
  let apns: FakeApnsService;
  let database: ScratchDatabase;
  let db: Client;
  let parley: ParleyProcess;
  let factory: ChatFactory;
  let seenProblems = { fcm: 0, apns: 0 };

  beforeAll(async () => {
    tempDir = mkdtempSync(join(tmpdir(), 'parley-push-providers-'));
    [fcm, apns, database] = await Promise.all([
      FakeFcmService.start(),
      FakeApnsService.start({ keyId: APNS_KEY_ID, teamId: APNS_TEAM_ID, bundleId: APNS_BUNDLE_ID }),
      createScratchDatabase(),
    ]);
    const serviceAccountFile = join(tempDir, 'fcm-service-account.json');
    const apnsKeyFile = join(tempDir, `AuthKey_${APNS_KEY_ID}.p8`);
    const apnsCaFile = join(tempDir, 'fake-apns-ca.pem');
    writeFileSync(serviceAccountFile, JSON.stringify(fcm.serviceAccountKey(), null, 2), { mode: 0o600 });
    writeFileSync(apnsKeyFile, apns.signingKeyPem, { mode: 0o600 });
    writeFileSync(apnsCaFile, apns.certificatePem);

    parley = await ParleyProcess.start({
      name: 'push-providers',
      env: {
        DATABASE_URL: database.url,
        DB_MIGRATIONS_RUN: 'true',
        PUSH_WORKER: 'true',
        PUSH_DELAY_MS: '200',
        PUSH_POLL_MS: '50',
        FCM_SERVICE_ACCOUNT_FILE: serviceAccountFile,
        FCM_BASE_URL: fcm.url,
        APNS_KEY_FILE: apnsKeyFile,
        APNS_KEY_ID,
        APNS_TEAM_ID,
        APNS_BUNDLE_ID,
        APNS_HOST: apns.host,
        // Read once at process start: the server's http2 client then trusts the fake's certificate.
        NODE_EXTRA_CA_CERTS: apnsCaFile,
      },
    });
    db = new Client({ connectionString: database.url });
    await db.connect();
    factory = new ChatFactory(parley.http);
  }, 120_000);

  afterEach(() => {
    // What a real provider would have refused during this test (the fakes refused it too).
    const problems = {
      fcm: fcm.problems.slice(seenProblems.fcm),
      apns: apns.problems.slice(seenProblems.apns),
    };
    seenProblems = { fcm: fcm.problems.length, apns: apns.problems.length };
    expect(problems).toEqual({ fcm: [], apns: [] });
  });

  afterAll(async () => {
    await stopAllParleyProcesses();
    await db?.end();
    await Promise.all([fcm?.close(), apns?.close()]);
    await database?.drop();
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  });

  async function registerDevice(
    user: TestUser,
    platform: 'fcm' | 'apns',
    token: string,
  ): Promise<DeviceBody> {
    const response = await parley.http
      .post('/v1/chat/devices')
      .set('Authorization', user.auth)
      .send({ platform, token })
      .expect(201);
    return response.body as DeviceBody;
  }

  async function devicesOf(user: TestUser): Promise<DeviceBody[]> {
    const response = await parley.http.get('/v1/chat/devices').set('Authorization', user.auth).expect(200);
    return response.body as DeviceBody[];
  }

  async function outboxRows(userId: string, conversationId: string): Promise<OutboxRow[]> {
    const result = await db.query<OutboxRow>(
      `SELECT status, skip_reason, attempts, devices_sent, error_message, title, body, message_id
       FROM chat.push_notifications WHERE user_id = $1 AND conversation_id = $2 ORDER BY created_at`,
      [userId, conversationId],
    );
    return result.rows;
  }

  /** Polls the recipient's outbox rows for the conversation until `done` holds for them. */
  async function outboxWhen(
    userId: string,
    conversationId: string,
    done: (rows: OutboxRow[]) => boolean,
  ): Promise<OutboxRow[]> {
    const deadline = Date.now() + OUTBOX_TIMEOUT_MS;
    for (;;) {
      const rows = await outboxRows(userId, conversationId);
      if (done(rows)) return rows;
      if (Date.now() > deadline) {
        throw new Error(
          `outbox not as awaited within ${OUTBOX_TIMEOUT_MS} ms: ${JSON.stringify(rows)}\n` +
            `server log tail:\n${parley.logs().slice(-4_000)}`,
        );
      }
      await sleep(25);
    }
  }

  /** The rows once `count` exist and none is left pending or sending. */
  function settledOutbox(userId: string, conversationId: string, count = 1): Promise<OutboxRow[]> {
    return outboxWhen(
      userId,
      conversationId,
      (rows) =>
        rows.length === count && rows.every((row) => row.status !== 'pending' && row.status !== 'sending'),
    );
  }

  it('should deliver one push through FCM and one through APNs, each with verified credentials', async () => {
    const { client, owner, listing, conversation } = await factory.pair();
    const fcmToken = fcmRegistrationToken();
    const apnsToken = apnsDeviceToken();
    expect(fcmToken.length).toBeGreaterThanOrEqual(150);
    await registerDevice(owner, 'fcm', fcmToken);
    await registerDevice(owner, 'apns', apnsToken);

    const message = await factory.send(client, conversation.id, 'Is the flat still free?');

    const [row] = await settledOutbox(owner.id, conversation.id);
    // PUSH_PREVIEW defaults to 'sender': who wrote about which listing, never the text.
    const title = listing.title;
    const body = 'New message from Clara User';
    expect(row).toMatchObject({
      status: 'sent',
      devices_sent: 2,
      attempts: 1,
      error_message: null,
      title,
      body,
      message_id: message.id,
    });

    const sends = fcm.sends(fcmToken);
    expect(sends).toHaveLength(1);
    const [send] = sends;
    expect(send.status).toBe(200);
    expect(send.path).toBe(`/v1/projects/${fcm.projectId}/messages:send`);
    // The bearer came from the token endpoint, which issued it for a verified RS256 assertion.
    expect(send.authorized).toBe(true);
    const issuedBy = fcm.tokenRequests.all((request) => request.accessToken === send.accessToken);
    expect(issuedBy).toHaveLength(1);
    expect(issuedBy[0]).toMatchObject({
      signatureVerified: true,
      problems: [],
      assertion: {
        header: { alg: 'RS256' },
        claims: { iss: fcm.clientEmail, aud: fcm.tokenUrl },
      },
    });
    expect(send.message).toMatchObject({
      token: fcmToken,
      notification: { title, body },
      data: {
        type: 'chat.message',
        conversation_id: conversation.id,
        message_id: message.id,
        seq: String(message.seq),
        listing_id: listing.id,
        sender_user_id: client.id,
      },
      android: { collapse_key: conversation.id },
      apns: { headers: { 'apns-collapse-id': conversation.id }, payload: { aps: { badge: 1 } } },
    });

    const pushes = apns.received(apnsToken);
    expect(pushes).toHaveLength(1);
    const [push] = pushes;
    expect(push.status).toBe(200);
    expect(push.path).toBe(`/3/device/${apnsToken}`);
    expect(push.jwtVerified).toBe(true);
    expect(push.jwt).toEqual({
      header: { alg: 'ES256', kid: APNS_KEY_ID },
      claims: { iss: APNS_TEAM_ID, iat: expect.any(Number) },
    });
    expect(push.headers).toMatchObject({
      'apns-topic': APNS_BUNDLE_ID,
      'apns-push-type': 'alert',
      'apns-collapse-id': conversation.id,
    });
    expect(push.payload?.aps?.alert).toEqual({ title, body });
    expect(push.payload?.aps?.badge).toBeGreaterThanOrEqual(1);
    expect(push.payload).toMatchObject({ conversation_id: conversation.id, message_id: message.id });
  });

  it('should remove devices that FCM and APNs report gone and fail the push without retrying', async () => {
    const { client, owner, conversation } = await factory.pair();
    const fcmToken = fcmRegistrationToken();
    const apnsToken = apnsDeviceToken();
    await registerDevice(owner, 'fcm', fcmToken);
    await registerDevice(owner, 'apns', apnsToken);
    fcm.answer(fcmToken, {
      status: 404,
      body: fcmError(404, 'NOT_FOUND', 'Requested entity was not found.', 'UNREGISTERED'),
    });
    apns.answer(apnsToken, { status: 400, reason: 'BadDeviceToken' });

    await factory.send(client, conversation.id, 'Hello?');

    const [row] = await settledOutbox(owner.id, conversation.id);
    expect(row).toMatchObject({ status: 'failed', attempts: 1, devices_sent: 0 });
    expect(row.error_message).toContain('UNREGISTERED');
    expect(row.error_message).toContain('BadDeviceToken');
    // Device tokens are secrets of a kind: never in the table.
    expect(row.error_message).not.toContain(fcmToken);
    expect(row.error_message).not.toContain(apnsToken);
    await expect(devicesOf(owner)).resolves.toEqual([]);

    // Nothing more goes to the removed devices, and the failed push stays failed: a later push to
    // a newly registered device goes out while the gone tokens have still seen one request each.
    const newApnsToken = apnsDeviceToken();
    await registerDevice(owner, 'apns', newApnsToken);
    await factory.send(client, conversation.id, 'Anyone there?');
    const rows = await settledOutbox(owner.id, conversation.id, 2);
    expect(rows).toMatchObject([
      { status: 'failed', attempts: 1 },
      { status: 'sent', attempts: 1, devices_sent: 1 },
    ]);
    expect(apns.received(newApnsToken).map((push) => push.status)).toEqual([200]);
    expect(fcm.sends(fcmToken).map((send) => send.status)).toEqual([404]);
    expect(apns.received(apnsToken).map((push) => push.status)).toEqual([400]);
  });

  it('should retry a push that APNs answered 503 and deliver it once', async () => {
    const { client, owner, conversation } = await factory.pair();
    const apnsToken = apnsDeviceToken();
    await registerDevice(owner, 'apns', apnsToken);
    apns.answer(apnsToken, { status: 503, reason: 'ServiceUnavailable' });

    const message = await factory.send(client, conversation.id, 'Can I visit on Saturday?');

    const [row] = await settledOutbox(owner.id, conversation.id);
    expect(row).toMatchObject({
      status: 'sent',
      attempts: 2,
      devices_sent: 1,
      error_message: null,
      message_id: message.id,
    });
    const pushes = apns.received(apnsToken);
    expect(pushes.map((push) => push.status)).toEqual([503, 200]);
    // The same notification both times: a retry, not a second push.
    expect(pushes[1].payload).toEqual(pushes[0].payload);
    expect(pushes[1].headers['apns-collapse-id']).toBe(conversation.id);
    expect(pushes[1].at).toBeGreaterThan(pushes[0].at);
    await expect(devicesOf(owner)).resolves.toHaveLength(1);
  });
});
