import { type FanoutResult, combineFanout } from './typing-fanout';

const slice = (overrides: Partial<FanoutResult>): FanoutResult => ({
  deliveredPerSecond: 100_000,
  generatorCores: 0.4,
  generatorProcesses: 2,
  serverCores: 0.9,
  wallSeconds: 5,
  ...overrides,
});

describe(combineFanout.name, () => {
  it('should count frames and server CPU over the whole time, weighting each slice by its length', () => {
    const combined = combineFanout([
      slice({ deliveredPerSecond: 200_000, serverCores: 1, wallSeconds: 3 }),
      slice({ deliveredPerSecond: 100_000, serverCores: 0.6, wallSeconds: 1 }),
    ]);

    expect(combined.deliveredPerSecond).toBeCloseTo(175_000, 6);
    expect(combined.serverCores).toBeCloseTo(0.9, 9);
    expect(combined.wallSeconds).toBe(4);
  });

  it('should keep the busiest generator process of any slice, which is what the 80 % rule checks', () => {
    const combined = combineFanout([slice({ generatorCores: 0.5 }), slice({ generatorCores: 0.85 })]);

    expect(combined.generatorCores).toBe(0.85);
    expect(combined.generatorProcesses).toBe(2);
  });

  it('should refuse to combine nothing', () => {
    expect(() => combineFanout([])).toThrow('no P3 slice');
  });
});
