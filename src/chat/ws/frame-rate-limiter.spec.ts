import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { ThrottlerStorageService, type ThrottlerStorage } from '@nestjs/throttler';
import { Redis } from 'ioredis';
import { ChatSettings } from '../chat-settings';
import { FrameRateLimiter } from './frame-rate-limiter';

/** The Redis this machine runs for tests; each test keeps to its own key prefix. */
const REDIS_URL = 'redis://127.0.0.1:6379';
const WINDOW_MS = 10_000;

function settings(keyPrefix?: string): ChatSettings {
  return ChatSettings.from({
    rateLimits: { messages: 4, typing: 2, windowMs: WINDOW_MS },
    ...(keyPrefix ? { redis: { url: REDIS_URL, keyPrefix } } : {}),
  });
}

/** Counts `allow()` answers: how many of `times` calls were let through. */
async function allowed(
  sut: FrameRateLimiter,
  times: number,
  userId = 'ana',
  action: 'message' | 'typing' = 'message',
): Promise<boolean[]> {
  const answers: boolean[] = [];
  for (let index = 0; index < times; index += 1) answers.push(await sut.allow(userId, action));
  return answers;
}

describe(FrameRateLimiter.name, () => {
  describe.each<[string, () => ThrottlerStorage | null]>([
    ["with the throttler's in-process storage", () => new ThrottlerStorageService()],
    ['counting in process (one instance, no shared storage)', () => null],
  ])('%s', (_, storage) => {
    let now: number;
    let sut: FrameRateLimiter;

    beforeEach(() => {
      now = 1_700_000_000_000;
      jest.spyOn(Date, 'now').mockImplementation(() => now);
      sut = new FrameRateLimiter(settings(), storage());
    });

    afterEach(() => {
      sut.onApplicationShutdown();
      jest.restoreAllMocks();
    });

    it('should allow up to the limit within a window, then refuse', async () => {
      expect(await allowed(sut, 5)).toEqual([true, true, true, true, false]);
    });

    it('should count each action and each user on their own', async () => {
      await allowed(sut, 5, 'ana', 'message');

      expect(await allowed(sut, 3, 'ana', 'typing')).toEqual([true, true, false]);
      expect(await allowed(sut, 1, 'omar', 'message')).toEqual([true]);
    });

    it('should refuse a user over the limit until a whole window has passed', async () => {
      await allowed(sut, 5);

      now += WINDOW_MS - 1;
      const late = await sut.allow('ana', 'message');
      now += 1;
      const after = await sut.allow('ana', 'message');

      expect(late).toBe(false);
      expect(after).toBe(true);
    });
  });

  describe('counting in process', () => {
    let sut: FrameRateLimiter;

    beforeEach(() => {
      sut = new FrameRateLimiter(settings(), null);
    });

    afterEach(() => {
      sut.onApplicationShutdown();
    });

    it('should answer at once with allowNow, sharing the count with allow', async () => {
      const first = sut.allowNow('ana', 'typing');
      const second = await sut.allow('ana', 'typing');
      const third = sut.allowNow('ana', 'typing');

      expect([first, second, third]).toEqual([true, true, false]);
    });
  });

  describe('allowNow with a shared storage', () => {
    it('should answer null and count nothing: the count lives in the shared store', async () => {
      const storage = new ThrottlerStorageService();
      const sut = new FrameRateLimiter(settings(), storage);

      try {
        const now = [sut.allowNow('ana', 'typing'), sut.allowNow('ana', 'typing')];
        const counted = await allowed(sut, 3, 'ana', 'typing');

        expect(now).toEqual([null, null]);
        expect(counted).toEqual([true, true, false]);
      } finally {
        sut.onApplicationShutdown();
      }
    });
  });

  describe('with Redis storage shared by two instances', () => {
    let redisA: Redis;
    let redisB: Redis;
    let keyPrefix: string;

    beforeAll(() => {
      redisA = new Redis(REDIS_URL);
      redisB = new Redis(REDIS_URL);
    });

    afterAll(async () => {
      await Promise.all([redisA.quit(), redisB.quit()]);
    });

    beforeEach(() => {
      keyPrefix = `test:${randomUUID()}:`;
    });

    afterEach(async () => {
      // The storage wraps each key in a hash tag: `{<key>:<throttler>}:hits`.
      for await (const keys of redisA.scanStream({ match: `{${keyPrefix}*`, count: 500 })) {
        if ((keys as string[]).length > 0) await redisA.del(...(keys as string[]));
      }
    });

    const limiter = (redis: Redis, prefix = keyPrefix): FrameRateLimiter =>
      new FrameRateLimiter(settings(prefix), new ThrottlerStorageRedisService(redis));

    it('should count a user across instances together', async () => {
      const a = limiter(redisA);
      const b = limiter(redisB);

      const first = [...(await allowed(a, 2)), ...(await allowed(b, 2))];
      const nextOnA = await a.allow('ana', 'message');
      const nextOnB = await b.allow('ana', 'message');
      const otherUser = await b.allow('omar', 'message');

      expect(first).toEqual([true, true, true, true]);
      expect([nextOnA, nextOnB]).toEqual([false, false]);
      expect(otherUser).toBe(true);
    });

    it('should keep deployments with different key prefixes apart', async () => {
      const a = limiter(redisA);
      const otherDeployment = limiter(redisB, `${keyPrefix}other:`);
      await allowed(a, 5);

      expect(await otherDeployment.allow('ana', 'message')).toBe(true);
    });
  });

  describe('when the storage is unreachable', () => {
    const unreachable: ThrottlerStorage = {
      increment: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6379')),
    };

    /** A shared storage that answers only while reachable, as Redis through an outage. */
    function flakyStorage(): {
      shared: ThrottlerStorageService;
      flaky: ThrottlerStorage;
      setReachable: (value: boolean) => void;
    } {
      const shared = new ThrottlerStorageService();
      let reachable = false;
      const flaky: ThrottlerStorage = {
        increment: (...args) => (reachable ? shared.increment(...args) : unreachable.increment(...args)),
      };
      return { shared, flaky, setReachable: (value) => (reachable = value) };
    }
    let warn: jest.SpyInstance;

    beforeEach(() => {
      warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    });

    afterEach(() => jest.restoreAllMocks());

    it('should count per instance instead of failing, and warn once', async () => {
      const sut = new FrameRateLimiter(settings(), unreachable);

      try {
        const answers = await allowed(sut, 5);

        expect(answers).toEqual([true, true, true, true, false]);
        expect(warn).toHaveBeenCalledTimes(1);
      } finally {
        sut.onApplicationShutdown();
      }
    });

    it('should count in the shared storage again once it answers', async () => {
      const { shared, flaky, setReachable } = flakyStorage();
      const sut = new FrameRateLimiter(settings(), flaky);

      try {
        await allowed(sut, 4);
        setReachable(true);
        const answers = await allowed(sut, 5);

        expect(answers).toEqual([true, true, true, true, false]);
      } finally {
        sut.onApplicationShutdown();
        shared.onApplicationShutdown();
      }
    });

    it('should warn once per outage', async () => {
      const { shared, flaky, setReachable } = flakyStorage();
      const sut = new FrameRateLimiter(settings(), flaky);

      try {
        await allowed(sut, 2);
        setReachable(true);
        await allowed(sut, 1);
        setReachable(false);
        await allowed(sut, 2);

        expect(warn).toHaveBeenCalledTimes(2);
      } finally {
        sut.onApplicationShutdown();
        shared.onApplicationShutdown();
      }
    });
  });
});
