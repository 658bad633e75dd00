import { ChatFactory, type TestUser } from './factories/chat-factory';
import { ChatSockets } from './utils/chat-sockets';
import { ParleyProcess, stopAllParleyProcesses } from './utils/parley-process';
import { PrivateRedis } from './utils/private-redis';
import { messageWith, seqsOf, sendMessage } from './utils/message-frames';
import type { WsTestClient } from './utils/ws-test-client';

jest.setTimeout(60_000);

const TTL_MS = 1_500;
// Long enough for a client to reconnect to the other instance on a loaded CI machine:
// the deploy test asserts no flap, which holds only for reconnects within the grace.
const GRACE_MS = 4_000;

interface HealthBody {
  status: string;
  redis: string;
}

/**
 * Two Parley processes, one PostgreSQL, one private Redis that the tests stop
 * and restart: what happens when an instance or Redis dies under traffic.
 */
describe('instances and Redis failing under traffic (e2e)', () => {
  let redis: PrivateRedis;
  let a: ParleyProcess;
  let b: ParleyProcess;
  let factory: ChatFactory;
  let onA: ChatSockets;
  let onB: ChatSockets;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    const env = {
      REDIS_URL: redis.url,
      PRESENCE_TTL_MS: String(TTL_MS),
      PRESENCE_OFFLINE_GRACE_MS: String(GRACE_MS),
      WS_MESSAGE_RATE_LIMIT: '1000',
    };
    [a, b] = await Promise.all([
      ParleyProcess.start({ name: 'failures-a', env }),
      ParleyProcess.start({ name: 'failures-b', env }),
    ]);
    factory = new ChatFactory(b.http);
    onA = new ChatSockets(a.wsBaseUrl);
    onB = new ChatSockets(b.wsBaseUrl);
  }, 90_000);

  afterEach(async () => {
    await Promise.all([onA.closeAll(), onB.closeAll()]);
  });

  afterAll(async () => {
    await stopAllParleyProcesses();
    await redis?.close();
  });

  async function open(
    sockets: ChatSockets,
    conversationId: string,
    user: TestUser,
    query: Record<string, string> = {},
  ): Promise<WsTestClient> {
    const socket = await sockets.connect(conversationId, user.token, { query });
    await socket.next('connected');
    return socket;
  }

  function range(from: number, to: number): number[] {
    return Array.from({ length: to - from + 1 }, (_, index) => from + index);
  }

  async function waitForHealth(node: ParleyProcess, expected: HealthBody): Promise<void> {
    const deadline = Date.now() + 15_000;
    let last: unknown;
    while (Date.now() < deadline) {
      const response = await node.http.get('/v1/chat/health');
      last = response.body;
      if (response.status === 200 && (last as HealthBody).status === expected.status) {
        expect(last).toMatchObject(expected);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${node.name} never reported ${JSON.stringify(expected)}; last: ${JSON.stringify(last)}`);
  }

  it('should show the users of a killed instance offline within the TTL, and lose nothing when they reconnect elsewhere', async () => {
    const { client, owner, conversation } = await factory.pair();
    const clientOnA = await open(onA, conversation.id, client);
    const ownerOnB = await open(onB, conversation.id, owner);
    await ownerOnB.next('presence', (frame) => frame.user_id === client.id && frame.is_online === true);
    sendMessage(clientOnA, 'before the crash');
    await clientOnA.next('message', messageWith('before the crash'));

    await a.kill('SIGKILL');
    const killedAt = Date.now();
    sendMessage(ownerOnB, 'while you were away 1');
    sendMessage(ownerOnB, 'while you were away 2');
    await ownerOnB.next(
      'presence',
      (frame) => frame.user_id === client.id && frame.is_online === false,
      10_000,
    );
    const offlineAfter = Date.now() - killedAt;
    const lastSeen = Math.max(...seqsOf(clientOnA));
    const clientOnB = await open(onB, conversation.id, client, { after_seq: String(lastSeen) });
    await clientOnB.next('message', messageWith('while you were away 2'));

    // The TTL plus one sweep and one heartbeat of slack.
    expect(offlineAfter).toBeLessThan(TTL_MS + 2_500);
    expect(seqsOf(clientOnA)).toEqual([1]);
    expect(seqsOf(clientOnB)).toEqual([2, 3]);
    await a.restart();
  });

  it('should lose and duplicate nothing when Redis stops and restarts under traffic, and report the outage in health', async () => {
    const { client, owner, conversation } = await factory.pair();
    const clientOnA = await open(onA, conversation.id, client);
    const ownerOnB = await open(onB, conversation.id, owner);
    let sent = 0;
    let sending = true;
    const traffic = (async () => {
      while (sending) {
        sendMessage(sent % 2 === 0 ? clientOnA : ownerOnB, `traffic ${sent}`);
        sent += 1;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();

    await new Promise((resolve) => setTimeout(resolve, 500));
    await redis.stop();
    await Promise.all([
      waitForHealth(a, { status: 'degraded', redis: 'down' }),
      waitForHealth(b, { status: 'degraded', redis: 'down' }),
    ]);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await redis.start();
    await Promise.all([
      waitForHealth(a, { status: 'healthy', redis: 'up' }),
      waitForHealth(b, { status: 'healthy', redis: 'up' }),
    ]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    sending = false;
    await traffic;
    sendMessage(ownerOnB, 'fence');
    const total = sent + 1;
    for (const socket of [clientOnA, ownerOnB]) {
      await socket.next('message', messageWith('fence'), 15_000);
    }

    expect(sent).toBeGreaterThan(30);
    expect(seqsOf(clientOnA)).toEqual(range(1, total));
    expect(seqsOf(ownerOnB)).toEqual(range(1, total));
  });

  it('should close sockets with 1001 on SIGTERM, let clients resume elsewhere with after_seq, and not flap presence', async () => {
    const { client, owner, conversation } = await factory.pair();
    const clientOnA = await open(onA, conversation.id, client);
    const ownerOnB = await open(onB, conversation.id, owner);
    await ownerOnB.next('presence', (frame) => frame.user_id === client.id && frame.is_online === true);
    sendMessage(ownerOnB, 'before the deploy');
    await clientOnA.next('message', messageWith('before the deploy'));
    const presenceBefore = ownerOnB.all('presence').length;

    const closed = clientOnA.closed();
    const stopping = a.stop();
    expect((await closed).code).toBe(1001);
    sendMessage(ownerOnB, 'during the deploy');
    await ownerOnB.next('message', messageWith('during the deploy'));
    const clientOnB = await open(onB, conversation.id, client, {
      after_seq: String(Math.max(...seqsOf(clientOnA))),
    });
    await clientOnB.next('message', messageWith('during the deploy'));
    await stopping;
    await new Promise((resolve) => setTimeout(resolve, GRACE_MS + 1_500));
    sendMessage(clientOnB, 'after the deploy');
    await ownerOnB.next('message', messageWith('after the deploy'));
    await clientOnB.next('message', messageWith('after the deploy'));

    expect(seqsOf(clientOnB)).toEqual([2, 3]);
    expect(ownerOnB.all('presence').slice(presenceBefore)).toEqual([]);
    await a.restart();
  });
});
