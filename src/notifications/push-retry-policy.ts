const BASE_MS = 1_000;
const CAP_MS = 10 * 60_000;

/**
 * When to try a transient failure again: exponential from 1 s, capped at 10
 * minutes, with jitter (half to all of the step) so a provider outage does not
 * bring every retry back at the same instant; never sooner than the provider's
 * Retry-After.
 */
export function nextAttemptDelayMs(attempt: number, retryAfterMs?: number, random = Math.random): number {
  const step = Math.min(CAP_MS, BASE_MS * 2 ** Math.max(0, attempt - 1));
  const jittered = step / 2 + random() * (step / 2);
  return Math.round(Math.max(jittered, retryAfterMs ?? 0));
}
