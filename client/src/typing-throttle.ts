type Timer = ReturnType<typeof setTimeout>;

export interface TypingThrottleOptions {
  /** At most one `typing: true` per this many ms. Default 3 000. */
  intervalMs?: number;
  /** `typing: false` after this long without a keystroke. Default 5 000. */
  idleMs?: number;
}

/**
 * Turns keystrokes into few typing frames: `true` at most once per interval while the user types,
 * `false` once they stop (idle) or send.
 */
export class TypingThrottle {
  private lastTrueAt = -Infinity;
  private typing = false;
  private idleTimer: Timer | undefined;
  private readonly intervalMs: number;
  private readonly idleMs: number;

  constructor(
    private readonly sendTyping: (isTyping: boolean) => void,
    options: TypingThrottleOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 3_000;
    this.idleMs = options.idleMs ?? 5_000;
  }

  /** Call on every keystroke. */
  keystroke(): void {
    const now = Date.now();
    if (!this.typing || now - this.lastTrueAt >= this.intervalMs) {
      this.typing = true;
      this.lastTrueAt = now;
      this.sendTyping(true);
    }
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.stop(), this.idleMs);
  }

  /** The user sent, cleared the input or left: `typing: false` if `true` was the last word. */
  stop(): void {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (!this.typing) return;
    this.typing = false;
    this.sendTyping(false);
  }

  /** Forget the state without sending (the socket is gone; the server ends typing on close). */
  reset(): void {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    this.typing = false;
    this.lastTrueAt = -Infinity;
  }
}

/** Collects read marks and sends one `read` for the newest seq after a quiet period. */
export class ReadDebouncer {
  private pendingSeq = 0;
  private sentSeq = 0;
  private timer: Timer | undefined;

  constructor(
    private readonly sendRead: (seq: number) => boolean,
    private readonly delayMs = 500,
  ) {}

  mark(seq: number): void {
    if (seq <= Math.max(this.pendingSeq, this.sentSeq)) return;
    this.pendingSeq = seq;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), this.delayMs);
  }

  /** Sends the pending mark now; kept pending if it could not be sent (call again once open). */
  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pendingSeq <= this.sentSeq) return;
    if (this.sendRead(this.pendingSeq)) this.sentSeq = this.pendingSeq;
  }

  dispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
