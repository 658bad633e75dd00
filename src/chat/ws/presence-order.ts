/** How long a user's last presence version is remembered: far longer than instances take to agree. */
const MEMORY_MS = 60_000;
/** Forgetting starts when this many keys are remembered, at most once per MEMORY_MS. */
const PRUNE_AT = 10_000;

/**
 * Instances announce a user's transitions independently and Redis may hand them
 * over in any order; a transition older than the last one shown is dropped so
 * nobody sees a user online after they went offline, or the reverse.
 */
export class PresenceOrder {
  private readonly latest = new Map<string, { version: number; at: number }>();
  private lastPrune = 0;

  /** True for a version newer than any seen under this key (user, or user and conversation); remembers it. */
  isNewest(key: string, version: number): boolean {
    const now = Date.now();
    const known = this.latest.get(key);
    if (known && known.version >= version && now - known.at < MEMORY_MS) return false;
    if (this.latest.size >= PRUNE_AT && now - this.lastPrune >= MEMORY_MS) this.prune(now);
    this.latest.set(key, { version, at: now });
    return true;
  }

  private prune(now: number): void {
    this.lastPrune = now;
    for (const [key, known] of this.latest) if (now - known.at >= MEMORY_MS) this.latest.delete(key);
  }
}
