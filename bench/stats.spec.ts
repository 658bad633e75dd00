import { percentile, ratio, summarize } from './stats';

describe('bench stats', () => {
  it('should take nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, index) => index + 1);

    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 99.9)).toBe(100);
    expect(percentile(values, 0)).toBe(1);
    expect(percentile([], 50)).toBeNaN();
  });

  it('should summarize unsorted latencies', () => {
    expect(summarize([5, 1, 3, 2, 4])).toEqual({ count: 5, p50: 3, p99: 5, p999: 5, max: 5 });
  });

  it('should compute ratios against a baseline and refuse a missing one', () => {
    expect(ratio(500, 1000)).toBe(0.5);
    expect(ratio(2, 3)).toBe(0.67);
    expect(ratio(1, 0)).toBeNaN();
  });
});
