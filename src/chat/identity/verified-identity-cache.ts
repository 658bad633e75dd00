import type { VerifiedIdentity } from '../ports/identity-verifier.port';

export interface VerifiedIdentityCacheOptions {
  /** How long an accepted token is trusted without asking the verifier again. */
  ttlMs: number;
  /** At most this many tokens are remembered; the oldest go first. */
  maxEntries: number;
  now?: () => number;
}

interface Entry {
  identity: VerifiedIdentity;
  until: number;
}

/**
 * Remembers, for a few seconds, the tokens the IdentityVerifier accepted, so a
 * client paging through history does not cost a signature check and (for the
 * standalone app's verifier) a user lookup per request.
 *
 * Why this is safe: only acceptances are kept, never refusals, so a token is
 * never refused because of the cache. An entry never outlives the token's own
 * `expiresAt`. What can lag is a revocation the verifier would see (a user made
 * inactive, a host revoking a session): it takes effect on REST within `ttlMs`,
 * which is why the TTL stays at seconds. The map is bounded, so a flood of
 * distinct valid tokens cannot grow memory.
 */
export class VerifiedIdentityCache {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;

  constructor(private readonly options: VerifiedIdentityCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  get(token: string): VerifiedIdentity | null {
    const entry = this.entries.get(token);
    if (!entry) return null;
    if (entry.until > this.now()) return entry.identity;
    this.entries.delete(token);
    return null;
  }

  remember(token: string, identity: VerifiedIdentity): void {
    const now = this.now();
    const expiresAt = identity.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY;
    const until = Math.min(now + this.options.ttlMs, expiresAt);
    if (until <= now) return;
    // Re-inserting moves the token to the young end of the Map's insertion order.
    this.entries.delete(token);
    while (this.entries.size >= this.options.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
    this.entries.set(token, { identity, until });
  }
}
