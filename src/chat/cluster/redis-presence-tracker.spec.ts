import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { PresenceTracker, PresenceTransition } from './presence-tracker';
import { RedisPresenceTracker } from './redis-presence-tracker';

/** The Redis this machine runs for tests; each test keeps to its own key prefix. */
const REDIS_URL = 'redis://127.0.0.1:6379';
/** Long enough that no instance of a test stops heart-beating unless the test means it to. */
const TTL_MS = 10_000;
const GRACE_MS = 100;

const offline = (userId: string): PresenceTransition => ({
  userId,
  isOnline: false,
  version: expect.any(Number),
});
const online = (userId: string): PresenceTransition => ({
  userId,
  isOnline: true,
  version: expect.any(Number),
});

async function deleteKeys(redis: Redis, match: string): Promise<void> {
  for await (const keys of redis.scanStream({ match, count: 500 })) {
    if ((keys as string[]).length > 0) await redis.del(...(keys as string[]));
  }
}

/** Sweeps until something goes offline: the grace period or a TTL ran out on Redis's clock. */
async function sweepUntilSome(tracker: PresenceTracker, timeoutMs = 3_000): Promise<PresenceTransition[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const swept = await tracker.sweep();
    if (swept.length > 0) return swept;
    if (Date.now() > deadline) throw new Error(`Nobody went offline within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe(RedisPresenceTracker.name, () => {
  let redis: Redis;
  let keyPrefix: string;

  beforeAll(() => {
    redis = new Redis(REDIS_URL);
  });

  afterAll(async () => {
    await redis.quit();
  });

  beforeEach(() => {
    keyPrefix = `test:${randomUUID()}:`;
  });

  afterEach(async () => {
    await deleteKeys(redis, `${keyPrefix}*`);
  });

  /** One Parley instance's tracker; several with one prefix model a cluster. */
  function instance(options: { ttlMs?: number; offlineGraceMs?: number } = {}): PresenceTracker {
    return new RedisPresenceTracker(redis, {
      instanceId: randomUUID(),
      keyPrefix,
      ttlMs: options.ttlMs ?? TTL_MS,
      offlineGraceMs: options.offlineGraceMs ?? GRACE_MS,
    });
  }

  describe('connected()', () => {
    it('should announce the first socket anywhere, and no later one', async () => {
      const a = instance();
      const b = instance();

      const first = await a.connected('ana');
      const onB = await b.connected('ana');
      const againOnA = await a.connected('ana');

      expect(first).toEqual(online('ana'));
      expect(first!.version).toBeGreaterThan(0);
      expect(onB).toBeNull();
      expect(againOnA).toBeNull();
    });
  });

  describe('disconnected() and sweep()', () => {
    it('should keep a user online while another instance holds a socket of theirs', async () => {
      const a = instance({ offlineGraceMs: 0 });
      const b = instance({ offlineGraceMs: 0 });
      await a.connected('ana');
      await b.connected('ana');

      await a.disconnected('ana');

      expect(await a.sweep()).toEqual([]);
      expect(await b.sweep()).toEqual([]);
      expect(await a.notOnline(['ana'])).toEqual([]);
    });

    it('should take a user offline once after the grace period of their last socket', async () => {
      const a = instance();
      const b = instance();
      const came = await a.connected('ana');
      await b.connected('ana');
      await b.disconnected('ana');
      await a.disconnected('ana');

      const early = await a.sweep();
      const due = await sweepUntilSome(a);
      const again = [...(await a.sweep()), ...(await b.sweep())];

      expect(early).toEqual([]);
      expect(due).toEqual([offline('ana')]);
      expect(due[0].version).toBeGreaterThan(came!.version);
      expect(again).toEqual([]);
      expect(await b.notOnline(['ana'])).toEqual(['ana']);
    });

    it('should not take a user offline who reconnected within the grace period, here or elsewhere', async () => {
      const a = instance();
      const b = instance();
      for (const userId of ['ana', 'omar', 'lea']) await a.connected(userId);
      await a.disconnected('ana');
      await a.disconnected('omar');
      // Lea's grace period ends last: once she is offline, Ana's and Omar's have run out too.
      await a.disconnected('lea');

      const anaBack = await a.connected('ana');
      const omarBack = await b.connected('omar');
      const swept = await sweepUntilSome(b);

      expect([anaBack, omarBack]).toEqual([null, null]);
      expect(swept).toEqual([offline('lea')]);
      expect(await a.notOnline(['ana', 'omar', 'lea'])).toEqual(['lea']);
    });

    it("should take the users of an instance that stopped heart-beating offline through another's sweep", async () => {
      const dying = instance({ ttlMs: 300 });
      const survivor = instance();
      await dying.connected('ana');
      await dying.connected('omar');
      await survivor.connected('omar');
      await survivor.connected('lea');

      const early = await survivor.sweep();
      const swept = await sweepUntilSome(survivor);

      expect(early).toEqual([]);
      expect(swept).toEqual([offline('ana')]);
      expect(await survivor.notOnline(['ana', 'omar', 'lea'])).toEqual(['ana']);
    });
  });

  describe('refresh()', () => {
    it('should bring back the users lost in a flush and announce them online', async () => {
      const a = instance();
      const before = await a.connected('ana');
      await a.connected('omar');
      await deleteKeys(redis, `${keyPrefix}*`);

      const restored = await a.refresh(['ana', 'omar']);
      const again = await a.refresh(['ana', 'omar']);

      expect(restored).toEqual([online('ana'), online('omar')]);
      expect(restored[0].version).toBeGreaterThan(before!.version);
      expect(again).toEqual([]);
      expect(await a.onlineCount()).toBe(2);
    });

    it('should let the users no longer listed go offline after the grace period', async () => {
      const a = instance();
      await a.connected('ana');
      await a.connected('omar');

      const refreshed = await a.refresh(['ana']);
      const early = await a.sweep();
      const swept = await sweepUntilSome(a);

      expect(refreshed).toEqual([]);
      expect(early).toEqual([]);
      expect(swept).toEqual([offline('omar')]);
      expect(await a.notOnline(['ana', 'omar'])).toEqual(['omar']);
    });

    it('should keep an instance alive past its TTL while it heart-beats', async () => {
      const ttlMs = 300;
      const a = instance({ ttlMs });
      const b = instance();
      await a.connected('ana');
      const startedAt = Date.now();
      const swept: PresenceTransition[] = [];

      while (Date.now() - startedAt < 2 * ttlMs) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        await a.refresh(['ana']);
        swept.push(...(await b.sweep()));
      }

      expect(swept).toEqual([]);
      expect(await b.notOnline(['ana'])).toEqual([]);
    });
  });

  describe('notOnline() and onlineCount()', () => {
    it('should count every user online across instances once', async () => {
      const a = instance();
      const b = instance();
      await a.connected('ana');
      await b.connected('ana');
      await b.connected('omar');

      expect(await a.onlineCount()).toBe(2);
      expect(await a.notOnline(['lea', 'ana', 'omar', 'sam'])).toEqual(['lea', 'sam']);
      expect(await a.notOnline([])).toEqual([]);
    });
  });

  describe('leave()', () => {
    it('should hand its users over to a live instance, which takes them offline after the grace period', async () => {
      const leaving = instance();
      const staying = instance();
      await leaving.connected('ana');
      await leaving.connected('omar');
      await staying.connected('omar');

      const left = await leaving.leave(['ana', 'omar']);
      const early = await staying.sweep();
      const swept = await sweepUntilSome(staying);

      expect(left).toEqual([]);
      expect(early).toEqual([]);
      expect(swept).toEqual([offline('ana')]);
      expect(await staying.notOnline(['ana', 'omar'])).toEqual(['ana']);
    });

    it('should take every user offline at once when it is the last instance', async () => {
      const first = instance();
      const last = instance();
      await first.connected('ana');
      await last.connected('omar');
      await last.connected('lea');
      await last.disconnected('lea');
      const handedOver = await first.leave(['ana']);

      const left = await last.leave(['omar']);

      expect(handedOver).toEqual([]);
      expect(left).toHaveLength(3);
      expect(left).toEqual(expect.arrayContaining([offline('ana'), offline('omar'), offline('lea')]));
      expect(await last.onlineCount()).toBe(0);
    });
  });

  it('should make versions strictly increase per user', async () => {
    const a = instance({ offlineGraceMs: 0 });
    const b = instance({ offlineGraceMs: 0 });
    const versions: number[] = [];
    for (let round = 0; round < 5; round += 1) {
      const tracker = round % 2 === 0 ? a : b;
      versions.push((await tracker.connected('ana'))!.version);
      await tracker.disconnected('ana');
      const [wentOffline] = await tracker.sweep();
      versions.push(wentOffline.version);
    }
    versions.push(await a.nextVersion());

    const increasing = versions.every((version, index) => index === 0 || version > versions[index - 1]);
    expect(versions).toHaveLength(11);
    expect(increasing).toBe(true);
  });

  it("should version a transition after the user's last one even when Redis's clock is behind it", async () => {
    const a = instance();
    const ahead = (Date.now() + 3_600_000) * 1000;
    // Recorded by a Redis whose clock ran an hour ahead (presence:versions, see redis-presence.scripts.ts).
    await redis.hset(`${keyPrefix}presence:versions`, 'ana', String(ahead));

    const transition = await a.connected('ana');

    expect(transition!.version).toBeGreaterThan(ahead);
  });
});
