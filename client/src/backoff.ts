export interface BackoffOptions {
  /** First delay before jitter, ms. Default 500. */
  initialMs?: number;
  /** Cap, ms. Default 30 000. */
  maxMs?: number;
  /** Default 2. */
  factor?: number;
}

/**
 * Exponential backoff with "equal jitter": each delay is between half and all of
 * min(max, initial × factor^attempt), so a crowd of clients does not reconnect in step,
 * yet none retries at once in a tight loop.
 */
export class Backoff {
  private attempt = 0;
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly factor: number;

  constructor(
    options: BackoffOptions = {},
    private readonly random: () => number = Math.random,
  ) {
    this.initialMs = options.initialMs ?? 500;
    this.maxMs = options.maxMs ?? 30_000;
    this.factor = options.factor ?? 2;
  }

  /** Attempts since the last reset(). */
  get attempts(): number {
    return this.attempt;
  }

  next(): number {
    const ceiling = Math.min(this.maxMs, this.initialMs * this.factor ** this.attempt);
    this.attempt += 1;
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }

  reset(): void {
    this.attempt = 0;
  }
}
