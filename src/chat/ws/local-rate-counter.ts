/** One key's recent hits: a ring of their times, oldest at `head`. */
interface HitLog {
  times: number[];
  head: number;
  count: number;
  /** While over the limit: when the key may hit again; 0 when not blocked. */
  blockedUntil: number;
}

/** How often idle keys are forgotten, as @nestjs/throttler's in-process storage does. */
const SWEEP_INTERVAL_MS = 60_000;
/** A key's ring starts this small and doubles up to the limit: limits can be huge (benchmarks). */
const INITIAL_CAPACITY = 16;

/**
 * A per-key rate limit counted in process, synchronously: at most `limit` hits in
 * any `windowMs`; the hit over the limit blocks the key for a whole window, after
 * which it starts again from zero. These are exactly the answers of
 * @nestjs/throttler's ThrottlerStorageService called with ttl = blockDuration =
 * windowMs (the spec compares both), without its promise, its per-call array
 * copies and its per-throttler maps: typing frames hit this for every keystroke.
 *
 * Hits are kept in arrival order, so Date.now() is assumed not to step back; if the
 * clock does, old hits stay counted a little longer (stricter, never looser).
 */
export class LocalRateCounter {
  private readonly logs = new Map<string, HitLog>();
  private sweep: NodeJS.Timeout | null = null;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Counts one hit of `key`; false when it is over the limit. */
  hit(key: string, now = Date.now()): boolean {
    let log = this.logs.get(key);
    if (!log) {
      log = { times: ring(Math.min(this.limit, INITIAL_CAPACITY)), head: 0, count: 0, blockedUntil: 0 };
      this.logs.set(key, log);
      this.startSweep();
    }
    if (log.blockedUntil !== 0) {
      if (now < log.blockedUntil) return false;
      // The block is over: earlier hits no longer count.
      log.blockedUntil = 0;
      log.head = 0;
      log.count = 0;
    }
    while (log.count > 0 && log.times[log.head] + this.windowMs <= now) {
      log.head = (log.head + 1) % log.times.length;
      log.count -= 1;
    }
    if (log.count === this.limit) {
      log.blockedUntil = now + this.windowMs;
      return false;
    }
    if (log.count === log.times.length) grow(log, Math.min(this.limit, log.count * 2));
    log.times[(log.head + log.count) % log.times.length] = now;
    log.count += 1;
    return true;
  }

  dispose(): void {
    if (this.sweep) clearInterval(this.sweep);
    this.sweep = null;
    this.logs.clear();
  }

  /** Forgets keys that are not blocked and have no hit left in the window: they count as new. */
  evictIdle(now = Date.now()): void {
    for (const [key, log] of this.logs) {
      if (log.blockedUntil > now) continue;
      const newest = log.times[(log.head + log.count - 1) % log.times.length];
      if (log.blockedUntil === 0 && log.count > 0 && newest + this.windowMs > now) continue;
      this.logs.delete(key);
    }
  }

  /** Keys currently remembered (for tests). */
  get size(): number {
    return this.logs.size;
  }

  private startSweep(): void {
    if (this.sweep) return;
    this.sweep = setInterval(() => this.evictIdle(), SWEEP_INTERVAL_MS);
    this.sweep.unref();
  }
}

/** A packed array of numbers, which V8 indexes fastest. */
function ring(capacity: number): number[] {
  return new Array<number>(capacity).fill(0);
}

/** Copies the ring into a larger one, oldest hit first. */
function grow(log: HitLog, capacity: number): void {
  const times = ring(capacity);
  for (let index = 0; index < log.count; index += 1) {
    times[index] = log.times[(log.head + index) % log.times.length];
  }
  log.times = times;
  log.head = 0;
}
