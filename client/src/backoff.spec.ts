import { Backoff } from './backoff';

describe(Backoff.name, () => {
  it('should grow exponentially up to the cap, with delays between half and all of the ceiling', () => {
    const low = new Backoff({ initialMs: 100, maxMs: 1_000 }, () => 0);
    const high = new Backoff({ initialMs: 100, maxMs: 1_000 }, () => 0.999999);

    const lows = Array.from({ length: 6 }, () => low.next());
    const highs = Array.from({ length: 6 }, () => high.next());

    expect(lows).toEqual([50, 100, 200, 400, 500, 500]);
    expect(highs).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('should start over after reset', () => {
    const sut = new Backoff({ initialMs: 100, maxMs: 10_000 }, () => 0);
    sut.next();
    sut.next();
    sut.next();

    sut.reset();

    expect(sut.attempts).toBe(0);
    expect(sut.next()).toBe(50);
  });

  it('should jitter so that clients do not retry in step', () => {
    const sut = new Backoff({ initialMs: 1_000 });
    const delays = new Set(Array.from({ length: 20 }, () => (sut.reset(), sut.next())));

    expect(delays.size).toBeGreaterThan(1);
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(500);
      expect(delay).toBeLessThanOrEqual(1_000);
    }
  });
});
