import { ThrottlerStorageService } from '@nestjs/throttler';
import { LocalRateCounter } from './local-rate-counter';

const WINDOW_MS = 1_000;
const START = 1_700_000_000_000;

/** A small deterministic generator, so a failing sequence can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

describe(LocalRateCounter.name, () => {
  let sut: LocalRateCounter;

  beforeEach(() => {
    sut = new LocalRateCounter(3, WINDOW_MS);
  });

  afterEach(() => sut.dispose());

  it('should allow up to the limit within a window, then refuse', () => {
    const answers = [0, 1, 2, 3].map((offset) => sut.hit('ana', START + offset));

    expect(answers).toEqual([true, true, true, false]);
  });

  it('should let a hit through once the oldest one has left the window', () => {
    sut.hit('ana', START);
    sut.hit('ana', START + 400);
    sut.hit('ana', START + 800);

    expect(sut.hit('ana', START + WINDOW_MS)).toBe(true);
    expect(sut.hit('ana', START + WINDOW_MS + 1)).toBe(false);
  });

  it('should refuse a key over the limit for a whole window, then start from zero', () => {
    [0, 1, 2, 3].forEach((offset) => sut.hit('ana', START + offset));

    expect(sut.hit('ana', START + 3 + WINDOW_MS - 1)).toBe(false);
    expect([0, 1, 2, 3].map((offset) => sut.hit('ana', START + 3 + WINDOW_MS + offset))).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });

  it('should count each key on its own', () => {
    [0, 1, 2, 3].forEach((offset) => sut.hit('ana', START + offset));

    expect(sut.hit('omar', START + 4)).toBe(true);
  });

  it('should forget idle keys but keep blocked and recently seen ones', () => {
    sut.hit('idle', START);
    sut.hit('recent', START + WINDOW_MS);
    [0, 1, 2, 3].forEach((offset) => sut.hit('blocked', START + WINDOW_MS + offset));

    sut.evictIdle(START + WINDOW_MS + 10);

    expect(sut.size).toBe(2);
    expect(sut.hit('blocked', START + WINDOW_MS + 11)).toBe(false);
  });

  it('should keep counting right past its initial capacity, with a large limit', () => {
    const large = new LocalRateCounter(100, WINDOW_MS);
    try {
      const answers = Array.from({ length: 101 }, (_, index) => large.hit('ana', START + index));
      const afterOldestLeft = large.hit('ana', START + 100 + WINDOW_MS);

      expect(answers.filter(Boolean)).toHaveLength(100);
      expect(answers[100]).toBe(false);
      expect(afterOldestLeft).toBe(true);
    } finally {
      large.dispose();
    }
  });

  // Gaps shrink with the limit, so every limit is reached, blocked and released again.
  it.each([
    [1, 1],
    [2, 1],
    [3, 1],
    [20, 0.1],
    [50, 0.03],
  ])(
    'should answer as @nestjs/throttler in-process storage does, limit %i, random hits',
    async (limit, gapScale) => {
      const local = new LocalRateCounter(limit, WINDOW_MS);
      const throttler = new ThrottlerStorageService();
      const next = random(limit);
      let now = START;
      const dateNow = jest.spyOn(Date, 'now').mockImplementation(() => now);
      try {
        const ours: boolean[] = [];
        const theirs: boolean[] = [];
        for (let index = 0; index < 5_000; index += 1) {
          // Bursts, pauses around the window length, and exact window boundaries.
          const roll = next();
          const gap = roll < 0.6 ? next() * 20 : roll < 0.99 ? next() * 400 : WINDOW_MS / gapScale;
          now += Math.floor(gap * gapScale);
          const key = next() < 0.8 ? 'ana' : 'omar';
          ours.push(local.hit(key));
          theirs.push(
            !(await throttler.increment(key, WINDOW_MS, limit, WINDOW_MS, 'chat-typing')).isBlocked,
          );
          if (index % 1_000 === 999) local.evictIdle();
        }

        expect(ours).toEqual(theirs);
        expect(ours.filter((answer) => !answer).length).toBeGreaterThan(100);
        expect(ours.filter(Boolean).length).toBeGreaterThan(100);
      } finally {
        dateNow.mockRestore();
        local.dispose();
        throttler.onApplicationShutdown();
      }
    },
  );
});
