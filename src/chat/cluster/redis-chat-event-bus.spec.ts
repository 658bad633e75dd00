import { randomUUID } from 'node:crypto';
import type { ChatEvent } from '../events/chat-event';
import type { ChatConnection } from '../ws/chat-connection';
import { ChatConnectionRegistry } from '../ws/chat-connection-registry';
import { ChatEventFanout } from '../ws/chat-event-fanout';
import type { OutgoingTextFrame } from '../ws/outgoing-text-frame';
import { RedisChatEventBus } from './redis-chat-event-bus';
import { RedisLink } from './redis-link';

/** The Redis this machine runs for tests; each test keeps to its own channel prefix. */
const REDIS_URL = 'redis://127.0.0.1:6379';
const WAIT_MS = 2_000;

const typing = (conversationId: string, userId = 'ana'): ChatEvent => ({
  type: 'typing',
  conversationId,
  userId,
  isTyping: true,
});

async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = WAIT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** One Parley instance: its Redis link, its bus, and what its local listeners heard. */
interface Instance {
  link: RedisLink;
  sut: RedisChatEventBus;
  heard: ChatEvent[];
}

describe(RedisChatEventBus.name, () => {
  let channelPrefix: string;
  let instances: Instance[];

  function instance(options: { ready?: boolean } = {}): Promise<Instance> {
    const instanceId = `test-${randomUUID()}`;
    const link = new RedisLink(REDIS_URL, instanceId);
    const sut = new RedisChatEventBus(link, instanceId, channelPrefix);
    const heard: ChatEvent[] = [];
    sut.subscribe((event) => heard.push(event));
    const created = { link, sut, heard };
    instances.push(created);
    if (options.ready === false) return Promise.resolve(created);
    return until(() => link.state === 'up', 'the Redis link').then(() => created);
  }

  beforeEach(() => {
    channelPrefix = `test:${randomUUID()}:conversation:`;
    instances = [];
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    for (const { sut } of instances) sut.onModuleDestroy();
    await Promise.all(instances.map(({ link }) => link.onApplicationShutdown()));
  });

  it('should deliver to its own listeners once, at once, and to another instance only if it follows', async () => {
    const a = await instance();
    const b = await instance();
    await a.sut.follow('c1');
    await b.sut.follow('c2');
    const event = typing('c1');
    const marker = typing('c2');

    a.sut.publish(event);
    const heardAtOnce = [...a.heard];
    a.sut.publish(marker);
    // Redis hands one publisher's messages over in order: once the marker is here, c1's would be too.
    await until(() => b.heard.length > 0, 'the marker on B');
    // A follows c1 too: its own event comes back from Redis, and must not be heard twice.
    b.sut.publish(typing('c1', 'marker-from-b'));
    await until(() => a.heard.length > 2, "B's marker on A");

    expect(heardAtOnce).toEqual([event]);
    expect(a.heard).toEqual([event, marker, typing('c1', 'marker-from-b')]);
    expect(b.heard).toEqual([marker, typing('c1', 'marker-from-b')]);
  });

  it('should deliver to another instance that follows, once', async () => {
    const a = await instance();
    const b = await instance();
    await a.sut.follow('c1');
    await b.sut.follow('c1');
    const event = typing('c1');

    a.sut.publish(event);
    await until(() => b.heard.length > 0, 'the event on B');
    b.sut.publish(typing('c1', 'marker-from-b'));
    await until(() => a.heard.length > 1, "B's marker on A");

    expect(b.heard).toEqual([event, typing('c1', 'marker-from-b')]);
    expect(a.heard).toEqual([event, typing('c1', 'marker-from-b')]);
  });

  it('should resolve follow() only once an event published next will arrive', async () => {
    const a = await instance();
    const b = await instance();
    // A slow link: the SUBSCRIBE reaches Redis 50 ms late.
    const subscribe = b.link.subscriber.subscribe.bind(b.link.subscriber) as (
      ...channels: string[]
    ) => Promise<unknown>;
    jest
      .spyOn(b.link.subscriber, 'subscribe')
      .mockImplementation((...channels: unknown[]) =>
        new Promise((resolve) => setTimeout(resolve, 50)).then(() => subscribe(...(channels as string[]))),
      );

    await b.sut.follow('c1');
    a.sut.publish(typing('c1'));

    await until(() => b.heard.length > 0, 'the event on B');
    expect(b.heard).toEqual([typing('c1')]);
  });

  it('should catch up an event published right after follow() resolved while the link was still connecting', async () => {
    const a = await instance();
    const b = await instance({ ready: false });

    await b.sut.follow('c1');
    a.sut.publish(typing('c1'));

    // Either the event itself or an instruction to read the database must reach B's sockets.
    await until(() => b.heard.length > 0, 'the event or a stream.resync on B', 1_000);
    expect([typing('c1'), { type: 'stream.resync', conversationId: 'c1' }]).toContainEqual(b.heard[0]);
  });

  it('should stop delivering once the last follower of a conversation left', async () => {
    const a = await instance();
    const b = await instance();
    await b.sut.follow('c1');
    await b.sut.follow('c1');
    await b.sut.follow('c2');

    b.sut.unfollow('c1');
    a.sut.publish(typing('c1', 'ana'));
    await until(() => b.heard.length > 0, 'the event on B');
    b.sut.unfollow('c1');
    a.sut.publish(typing('c1', 'omar'));
    a.sut.publish(typing('c2'));
    await until(() => b.heard.length > 1, 'the marker on B');

    expect(b.heard).toEqual([typing('c1', 'ana'), typing('c2')]);
    const subscribers = async (): Promise<number> => {
      const reply = (await a.link.commands.call('PUBSUB', 'NUMSUB', `${channelPrefix}c1`)) as [
        string,
        number,
      ];
      return reply[1];
    };
    await until(async () => (await subscribers()) === 0, 'B to unsubscribe from c1');
  });

  it('should hand a presence change over once per conversation the other instance follows, narrowed to it', async () => {
    const a = await instance();
    const b = await instance();
    await b.sut.follow('c1');
    await b.sut.follow('c3');
    const event: ChatEvent = {
      type: 'presence.changed',
      userId: 'ana',
      isOnline: true,
      lastSeenAt: null,
      version: 42,
      conversationIds: ['c1', 'c2', 'c3'],
    };

    a.sut.publish(event);
    a.sut.publish(typing('c3'));
    await until(() => b.heard.length > 2, 'the marker on B');

    expect(a.heard).toEqual([event, typing('c3')]);
    expect(b.heard).toEqual([
      expect.objectContaining({ ...event, conversationIds: ['c1'] }),
      expect.objectContaining({ ...event, conversationIds: ['c3'] }),
      typing('c3'),
    ]);
  });

  it('should let the receiving instance announce a presence change in every conversation it follows', async () => {
    const a = await instance();
    const b = await instance();
    const registry = new ChatConnectionRegistry<ChatConnection>();
    const sockets = ['c1', 'c2'].map((conversationId) => ({
      userId: 'omar',
      conversationId,
      acceptsPresence: () => true,
      sendFrame: jest.fn<boolean, [OutgoingTextFrame, boolean]>(() => true),
    }));
    sockets.forEach((socket) => registry.add(socket as unknown as ChatConnection));
    const fanout = new ChatEventFanout(b.sut, registry);
    fanout.onModuleInit();
    await b.sut.follow('c1');
    await b.sut.follow('c2');

    try {
      a.sut.publish({
        type: 'presence.changed',
        userId: 'ana',
        isOnline: true,
        lastSeenAt: null,
        version: 42,
        conversationIds: ['c1', 'c2'],
      });
      a.sut.publish(typing('c2'));
      await until(() => b.heard.some((event) => event.type === 'typing'), 'the marker on B');
    } finally {
      fanout.onModuleDestroy();
    }

    const presenceFrames = sockets.map(({ sendFrame }) =>
      sendFrame.mock.calls
        .map(([frame]) => JSON.parse(frame.json) as { type: string; conversation_id: string })
        .filter((frame) => frame.type === 'presence'),
    );
    expect(presenceFrames).toEqual([
      [expect.objectContaining({ conversation_id: 'c1', user_id: 'ana', is_online: true })],
      [expect.objectContaining({ conversation_id: 'c2', user_id: 'ana', is_online: true })],
    ]);
  });

  it('should count followed conversations and the events received from other instances', async () => {
    const a = await instance();
    const b = await instance();
    await a.sut.follow('c1');
    await b.sut.follow('c1');
    await b.sut.follow('c1');
    await b.sut.follow('c2');

    a.sut.publish(typing('c1'));
    a.sut.publish(typing('c2'));
    a.sut.publish(typing('c3'));
    await until(() => b.heard.length > 1, 'the events on B');
    b.sut.publish(typing('c1', 'marker-from-b'));
    await until(() => a.heard.length > 3, "B's marker on A");

    expect(a.sut.stats()).toEqual({ followed_conversations: 1, remote_events_received: 1 });
    expect(b.sut.stats()).toEqual({ followed_conversations: 2, remote_events_received: 2 });
  });
});
