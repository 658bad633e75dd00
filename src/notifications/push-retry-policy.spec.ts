import { nextAttemptDelayMs } from './push-retry-policy';

describe(nextAttemptDelayMs.name, () => {
  it('should double per attempt, between half and all of the step', () => {
    expect(nextAttemptDelayMs(1, undefined, () => 0)).toBe(500);
    expect(nextAttemptDelayMs(1, undefined, () => 1)).toBe(1_000);
    expect(nextAttemptDelayMs(2, undefined, () => 1)).toBe(2_000);
    expect(nextAttemptDelayMs(4, undefined, () => 0.5)).toBe(6_000);
  });

  it('should cap at ten minutes', () => {
    expect(nextAttemptDelayMs(30, undefined, () => 1)).toBe(600_000);
  });

  it('should never retry sooner than Retry-After', () => {
    expect(nextAttemptDelayMs(1, 30_000, () => 1)).toBe(30_000);
    expect(nextAttemptDelayMs(5, 100, () => 1)).toBe(16_000);
  });
});
