import { IsoClock } from './iso-clock';

describe(IsoClock.name, () => {
  it('should format the current millisecond as Date#toISOString does', () => {
    const sut = new IsoClock();
    const before = Date.now();

    const now = sut.now();

    expect(Date.parse(now)).toBeGreaterThanOrEqual(before);
    expect(now).toBe(new Date(Date.parse(now)).toISOString());
  });

  it('should answer a new string once the millisecond changes, the same one within it', () => {
    const sut = new IsoClock();

    const first = sut.now(1_700_000_000_000);
    const same = sut.now(1_700_000_000_000);
    const next = sut.now(1_700_000_000_001);

    expect([first, same, next]).toEqual([
      '2023-11-14T22:13:20.000Z',
      '2023-11-14T22:13:20.000Z',
      '2023-11-14T22:13:20.001Z',
    ]);
  });
});
