import { ChatFactory, type TestUser } from './factories/chat-factory';
import { ChatSockets } from './utils/chat-sockets';
import { ParleyProcess, stopAllParleyProcesses } from './utils/parley-process';
import { PrivateRedis } from './utils/private-redis';
import { messageWith, seqsOf, sendMessage } from './utils/message-frames';
import type { WsTestClient } from './utils/ws-test-client';

jest.setTimeout(30_000);

const RATE_LIMIT = 20;
// Long enough for a socket to reopen on another instance while the 2-core box runs other suites.
const GRACE_MS = 2_500;

interface HealthBody {
  instance_id: string;
  redis: string;
  event_bus: { followed_conversations: number; remote_events_received: number };
  websocket_stats: { unique_users_online: number; instance_users_online: number };
}

/**
 * Three Parley processes sharing one PostgreSQL and one private Redis: to every
 * client they must behave as one instance.
 */
describe('several instances behind a load balancer (e2e)', () => {
  let redis: PrivateRedis;
  let nodes: ParleyProcess[];
  let factory: ChatFactory;
  let sockets: ChatSockets[];

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    const env = {
      REDIS_URL: redis.url,
      PRESENCE_TTL_MS: '3000',
      PRESENCE_OFFLINE_GRACE_MS: String(GRACE_MS),
      WS_MESSAGE_RATE_LIMIT: String(RATE_LIMIT),
      WS_RATE_WINDOW_MS: '60000',
    };
    nodes = await Promise.all(
      ['a', 'b', 'c'].map((name) => ParleyProcess.start({ name: `fanout-${name}`, env })),
    );
    factory = new ChatFactory(nodes[0].http);
    sockets = nodes.map((node) => new ChatSockets(node.wsBaseUrl));
  }, 90_000);

  afterEach(async () => {
    await Promise.all(sockets.map((set) => set.closeAll()));
  });

  afterAll(async () => {
    await stopAllParleyProcesses();
    await redis?.close();
  });

  /** A socket on node `index`, past its `connected` frame. */
  async function open(index: number, conversationId: string, user: TestUser): Promise<WsTestClient> {
    const socket = await sockets[index].connect(conversationId, user.token);
    await socket.next('connected');
    return socket;
  }

  async function health(node: ParleyProcess): Promise<HealthBody> {
    return (await node.http.get('/v1/chat/health').expect(200)).body as HealthBody;
  }

  it('should report each instance, Redis up and cluster-wide users online in health', async () => {
    const { client, owner, conversation } = await factory.pair();
    await open(0, conversation.id, client);
    const ownerOnB = await open(1, conversation.id, owner);
    await ownerOnB.next('presence', (frame) => frame.user_id === client.id && frame.is_online === true);

    const bodies = await Promise.all(nodes.map((node) => health(node)));

    expect(bodies.map((body) => body.instance_id)).toEqual(['fanout-a', 'fanout-b', 'fanout-c']);
    for (const body of bodies) {
      expect(body).toMatchObject({ status: 'healthy', redis: 'up' });
      expect(body.websocket_stats.unique_users_online).toBeGreaterThanOrEqual(2);
    }
    expect(bodies[0].websocket_stats.instance_users_online).toBeGreaterThanOrEqual(1);
    expect(bodies[2].websocket_stats.instance_users_online).toBe(0);
  });

  it('should carry message, typing, delivery, read and delete frames across instances, once each', async () => {
    const { client, owner, conversation } = await factory.pair();
    const clientOnA = await open(0, conversation.id, client);
    const ownerOnB = await open(1, conversation.id, owner);

    clientOnA.send({ type: 'typing', is_typing: true });
    await ownerOnB.next('typing', (frame) => frame.user_id === client.id && frame.is_typing === true);
    sendMessage(clientOnA, 'hello from A');
    const received = await ownerOnB.next('message', messageWith('hello from A'));
    const messageId = (received.data as { id: string }).id;
    await clientOnA.next('message', messageWith('hello from A'));
    await clientOnA.next('delivery_receipt', (frame) => frame.message_id === messageId);
    ownerOnB.send({ type: 'read', message_id: messageId });
    await clientOnA.next('read_receipt', (frame) => frame.message_id === messageId);
    // REST on the third instance, which holds no socket of this conversation.
    await nodes[2].http
      .delete(`/v1/chat/messages/${messageId}`)
      .set('Authorization', client.auth)
      .expect(200);
    await clientOnA.next('message_deleted', (frame) => frame.message_id === messageId);
    await ownerOnB.next('message_deleted', (frame) => frame.message_id === messageId);
    // Fences: Redis keeps one publisher's order, so a duplicate of anything above would be here by now.
    sendMessage(ownerOnB, 'fence from B');
    await clientOnA.next('message', messageWith('fence from B'));
    sendMessage(clientOnA, 'fence from A');
    await ownerOnB.next('message', messageWith('fence from A'));

    expect(ownerOnB.all('typing').filter((frame) => frame.is_typing === true)).toHaveLength(1);
    expect(ownerOnB.all('message').filter(messageWith('hello from A'))).toHaveLength(1);
    expect(clientOnA.all('message').filter(messageWith('hello from A'))).toHaveLength(1);
    expect(clientOnA.all('delivery_receipt').filter((frame) => frame.message_id === messageId)).toHaveLength(
      1,
    );
    expect(clientOnA.all('read_receipt')).toHaveLength(1);
    expect(clientOnA.all('message_deleted')).toHaveLength(1);
    expect(ownerOnB.all('message_deleted')).toHaveLength(1);
    expect(seqsOf(clientOnA)).toEqual([1, 2, 3]);
    expect(seqsOf(ownerOnB)).toEqual([1, 2, 3]);
  });

  it('should give a user with tabs on two instances everything on both', async () => {
    const { client, owner, conversation } = await factory.pair();
    const tabOnA = await open(0, conversation.id, client);
    const tabOnB = await open(1, conversation.id, client);
    const ownerOnC = await open(2, conversation.id, owner);

    ownerOnC.send({ type: 'typing', is_typing: true });
    sendMessage(ownerOnC, 'to both tabs');
    sendMessage(tabOnA, 'from tab A');

    for (const socket of [tabOnA, tabOnB, ownerOnC]) {
      await socket.next('message', (frame) => (frame.data as { seq: number }).seq === 2);
    }

    const contents = (socket: WsTestClient): string[] =>
      socket.all('message').map((frame) => (frame.data as { content: string }).content);
    for (const socket of [tabOnA, tabOnB, ownerOnC]) {
      expect(seqsOf(socket)).toEqual([1, 2]);
      expect(contents(socket).sort()).toEqual(['from tab A', 'to both tabs']);
    }
    // Typing was published before the message, on the same instance: it is here by now.
    for (const tab of [tabOnA, tabOnB]) {
      expect(tab.all('typing')).toEqual([expect.objectContaining({ user_id: owner.id, is_typing: true })]);
    }
  });

  it('should give every socket seq 1..N in order, no gap, no duplicate, under concurrent sends from three instances', async () => {
    const { client, owner, conversation } = await factory.pair();
    const senders = [
      await open(0, conversation.id, client),
      await open(1, conversation.id, owner),
      await open(2, conversation.id, client),
    ];
    const perSender = 6;
    const total = perSender * senders.length;

    for (let round = 0; round < perSender; round += 1) {
      senders.forEach((socket, index) => sendMessage(socket, `m${round}-${index}`));
    }
    for (const socket of senders) {
      await socket.next('message', (frame) => (frame.data as { seq: number }).seq === total, 15_000);
    }
    sendMessage(senders[1], 'fence');
    for (const socket of senders) await socket.next('message', messageWith('fence'));

    const expected = Array.from({ length: total + 1 }, (_, index) => index + 1);
    for (const socket of senders) expect(seqsOf(socket)).toEqual(expected);
  });

  it('should hold the per-user message limit across instances', async () => {
    const { client, owner, conversation } = await factory.pair();
    const onA = await open(0, conversation.id, client);
    const onB = await open(1, conversation.id, client);
    await open(2, conversation.id, owner);

    for (const [socket, from] of [
      [onA, 0],
      [onB, RATE_LIMIT / 2],
    ] as const) {
      for (let index = from; index < from + RATE_LIMIT / 2; index += 1) {
        sendMessage(socket, `quota ${index}`);
        await socket.next('message', messageWith(`quota ${index}`));
      }
    }
    sendMessage(onA, 'one too many on A');
    sendMessage(onB, 'one too many on B');

    expect(await onA.next('error')).toMatchObject({ code: 'rate_limited' });
    expect(await onB.next('error')).toMatchObject({ code: 'rate_limited' });
    const stored = await nodes[2].http
      .get(`/v1/chat/conversations/${conversation.id}/messages?limit=100`)
      .set('Authorization', owner.auth)
      .expect(200);
    expect(stored.body as unknown[]).toHaveLength(RATE_LIMIT);
  });

  it('should not send an instance the events of conversations it holds no socket of', async () => {
    const { client, owner, conversation } = await factory.pair();
    const clientOnA = await open(0, conversation.id, client);
    const ownerOnB = await open(1, conversation.id, owner);
    const [aBefore, cBefore] = await Promise.all([health(nodes[0]), health(nodes[2])]);

    for (let index = 0; index < 5; index += 1) sendMessage(ownerOnB, `busy ${index}`);
    ownerOnB.send({ type: 'typing', is_typing: true });
    sendMessage(ownerOnB, 'fence');
    await clientOnA.next('message', messageWith('fence'));
    const [aAfter, cAfter] = await Promise.all([health(nodes[0]), health(nodes[2])]);

    expect(aAfter.event_bus.remote_events_received).toBeGreaterThanOrEqual(
      aBefore.event_bus.remote_events_received + 7,
    );
    expect(cAfter.event_bus.remote_events_received).toBe(cBefore.event_bus.remote_events_received);
  });

  describe('presence across instances', () => {
    it('should keep a user online while a tab is open on any instance and show them offline after the last closes', async () => {
      const { client, owner, conversation } = await factory.pair();
      const tabOnA = await open(0, conversation.id, client);
      const tabOnB = await open(1, conversation.id, client);
      const ownerOnC = await open(2, conversation.id, owner);
      await ownerOnC.next('presence', (frame) => frame.user_id === client.id && frame.is_online === true);

      const seenBefore = ownerOnC.all('presence').length;
      await tabOnA.close();
      // Longer than the grace period and a sweep: an offline frame would be here by now.
      await new Promise((resolve) => setTimeout(resolve, GRACE_MS + 1_500));
      sendMessage(tabOnB, 'still here');
      await ownerOnC.next('message', messageWith('still here'));
      expect(ownerOnC.all('presence').slice(seenBefore)).toEqual([]);

      await tabOnB.close();
      const offline = await ownerOnC.next(
        'presence',
        (frame) => frame.user_id === client.id && frame.is_online === false,
        GRACE_MS + 5_000,
      );
      expect(offline.last_seen_at).toEqual(expect.any(String));
    });

    it('should not flap offline when a user reconnects to another instance within the grace period', async () => {
      const { client, owner, conversation } = await factory.pair();
      const onA = await open(0, conversation.id, client);
      const ownerOnC = await open(2, conversation.id, owner);
      await ownerOnC.next('presence', (frame) => frame.user_id === client.id && frame.is_online === true);

      const seenBefore = ownerOnC.all('presence').length;
      await onA.close();
      const onB = await open(1, conversation.id, client);
      await new Promise((resolve) => setTimeout(resolve, GRACE_MS + 1_500));
      sendMessage(onB, 'moved to B');
      await ownerOnC.next('message', messageWith('moved to B'));

      expect(ownerOnC.all('presence').slice(seenBefore)).toEqual([]);
    });
  });
});
