import { type RateStep, stepProblems, stepUp, warmUp } from './message-rate';

function step(offeredPerSecond: number, overrides: Partial<RateStep> = {}): RateStep {
  return {
    offeredPerSecond,
    sent: offeredPerSecond,
    acked: offeredPerSecond,
    received: offeredPerSecond,
    lost: 0,
    duplicated: 0,
    outOfOrder: 0,
    latencyMs: { count: offeredPerSecond, p50: 2, p99: 10, p999: 20, max: 30 },
    sendLagMs: { count: offeredPerSecond, p50: 0.5, p99: 1, p999: 1.2, max: 2 },
    socketsClosed: 0,
    wallSeconds: 1,
    generatorCores: 0.1,
    serverCores: 0.5,
    serverCoresEach: [0.5],
    postgresCores: 0.5,
    redisCores: null,
    serverCpuMsPerMessage: 1,
    serverCpuMsPerMessageEach: [1],
    postgresCpuMsPerMessage: 1,
    redisCpuMsPerMessage: null,
    ...overrides,
  };
}

describe('message rate step-up', () => {
  it('should pass a step within p99 with nothing lost, duplicated or reordered', () => {
    expect(stepProblems(step(100))).toEqual([]);
    expect(stepProblems(step(100, { latencyMs: { count: 1, p50: 1, p99: 50, p999: 60, max: 70 } }))).toEqual(
      [],
    );
  });

  it('should name every reason a step fails', () => {
    const failing = step(100, {
      latencyMs: { count: 1, p50: 1, p99: 50.04, p999: 60, max: 70 },
      lost: 2,
      duplicated: 1,
      outOfOrder: 3,
      socketsClosed: 1,
    });

    expect(stepProblems(failing)).toEqual([
      'p99 50.04 ms > 50 ms',
      '2 lost',
      '1 duplicated',
      '3 out of order',
      '1 sockets closed',
    ]);
    expect(
      stepProblems(step(100, { latencyMs: { count: 0, p50: NaN, p99: NaN, p999: NaN, max: NaN } })),
    ).toEqual(['p99 NaN ms > 50 ms']);
  });

  it('should step up by 1.3 until a step fails and keep the last passing rate', async () => {
    const offered: number[] = [];
    const bench = {
      step: (rate: number) => {
        offered.push(rate);
        return Promise.resolve(rate > 400 ? step(rate, { lost: 1 }) : step(rate));
      },
    };
    const seen: Array<[number, string[]]> = [];

    const result = await stepUp(bench, { startRate: 200, stepSeconds: 1 }, (measured, problems) =>
      seen.push([measured.offeredPerSecond, problems]),
    );

    expect(offered).toEqual([200, 260, 338, 439]);
    expect(result.maxRate).toBe(338);
    expect(result.best?.offeredPerSecond).toBe(338);
    expect(result.steps.map((measured) => measured.offeredPerSecond)).toEqual(offered);
    expect(result.stoppedAt).toEqual({ offeredPerSecond: 439, problems: ['1 lost'] });
    expect(result.repeated).toEqual([]);
    expect(seen.at(-1)).toEqual([439, ['1 lost']]);
  });

  it('should run a step that failed on latency alone once more, and go on when the repeat passes', async () => {
    const offered: number[] = [];
    // 260/s stalls once; 439/s fails twice; nothing is lost anywhere.
    const verdicts = new Map([
      [260, [false, true]],
      [439, [false, false]],
    ]);
    const bench = {
      step: (rate: number) => {
        offered.push(rate);
        const passes = verdicts.get(rate)?.shift() ?? true;
        return Promise.resolve(
          step(rate, passes ? {} : { latencyMs: { count: 1, p50: 5, p99: 80, p999: 90, max: 95 } }),
        );
      },
    };

    const result = await stepUp(bench, { startRate: 200, stepSeconds: 1 });

    expect(offered).toEqual([200, 260, 260, 338, 439, 439]);
    expect(result.maxRate).toBe(338);
    expect(result.repeated).toEqual([{ offeredPerSecond: 260, problems: ['p99 80 ms > 50 ms'] }]);
    expect(result.steps).toHaveLength(6);
    expect(result.stoppedAt).toEqual({ offeredPerSecond: 439, problems: ['p99 80 ms > 50 ms'] });
  });

  it('should stop at once, without a repeat, when a step loses a message even within its p99', async () => {
    const offered: number[] = [];
    const bench = {
      step: (rate: number) => {
        offered.push(rate);
        return Promise.resolve(
          rate === 260
            ? step(rate, { lost: 1, latencyMs: { count: 1, p50: 5, p99: 80, p999: 90, max: 95 } })
            : step(rate),
        );
      },
    };

    const result = await stepUp(bench, { startRate: 200, stepSeconds: 1 });

    expect(offered).toEqual([200, 260]);
    expect(result.maxRate).toBe(200);
    expect(result.repeated).toEqual([]);
  });

  it('should report no max rate when the first step fails', async () => {
    const bench = { step: (rate: number) => Promise.resolve(step(rate, { duplicated: 1 })) };

    const result = await stepUp(bench, { startRate: 200, stepSeconds: 1 });

    expect(result.maxRate).toBe(0);
    expect(result.best).toBeNull();
    expect(result.stoppedAt?.offeredPerSecond).toBe(200);
  });

  it('should warm up for the minimum, then until a 1 s slice passes, within the maximum', async () => {
    const calls: Array<[number, number]> = [];
    const slow = [true, true, false];
    const bench = {
      step: (rate: number, seconds: number) => {
        calls.push([rate, seconds]);
        const passes = seconds !== 1 || slow.shift() === false;
        return Promise.resolve(step(rate, passes ? {} : { lost: 1 }));
      },
    };

    expect(await warmUp(bench, 200, { minSeconds: 2, maxSeconds: 20 })).toBe(5);
    expect(calls).toEqual([
      [200, 2],
      [200, 1],
      [200, 1],
      [200, 1],
    ]);

    const never = { step: (rate: number) => Promise.resolve(step(rate, { lost: 1 })) };
    expect(await warmUp(never, 200, { minSeconds: 2, maxSeconds: 6 })).toBe(6);
  });
});
