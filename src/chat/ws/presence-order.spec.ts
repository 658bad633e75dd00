import { PresenceOrder } from './presence-order';

/** How long PresenceOrder remembers a user's last version (MEMORY_MS in presence-order.ts). */
const MEMORY_MS = 60_000;
/** Remembered users at which forgetting is checked (PRUNE_AT in presence-order.ts). */
const PRUNE_AT = 10_000;

describe(PresenceOrder.name, () => {
  let now: number;

  beforeEach(() => {
    now = 1_700_000_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
  });

  afterEach(() => jest.restoreAllMocks());

  it('should accept the first version of a user and each newer one', () => {
    const sut = new PresenceOrder();

    expect(sut.isNewest('ana', 10)).toBe(true);
    expect(sut.isNewest('ana', 11)).toBe(true);
    expect(sut.isNewest('ana', 500)).toBe(true);
  });

  it('should drop a version equal to the newest seen', () => {
    const sut = new PresenceOrder();
    sut.isNewest('ana', 10);

    expect(sut.isNewest('ana', 10)).toBe(false);
  });

  it('should drop an older version, even after a newer one was dropped', () => {
    const sut = new PresenceOrder();
    sut.isNewest('ana', 10);
    sut.isNewest('ana', 20);

    expect(sut.isNewest('ana', 15)).toBe(false);
    expect(sut.isNewest('ana', 20)).toBe(false);
    expect(sut.isNewest('ana', 21)).toBe(true);
  });

  it('should order each user on their own', () => {
    const sut = new PresenceOrder();
    sut.isNewest('ana', 100);

    expect(sut.isNewest('omar', 5)).toBe(true);
    expect(sut.isNewest('omar', 4)).toBe(false);
    expect(sut.isNewest('ana', 99)).toBe(false);
  });

  it('should forget a version once it is older than the memory', () => {
    const sut = new PresenceOrder();
    sut.isNewest('ana', 100);

    now += MEMORY_MS - 1;
    expect(sut.isNewest('ana', 50)).toBe(false);
    now += 1;
    expect(sut.isNewest('ana', 50)).toBe(true);
  });

  it('should keep recent versions when forgetting old ones', () => {
    const sut = new PresenceOrder();
    for (let index = 0; index < PRUNE_AT - 1; index += 1) sut.isNewest(`user-${index}`, 1);
    now += MEMORY_MS / 2;
    sut.isNewest('ana', 100);
    now += MEMORY_MS / 2;

    sut.isNewest('omar', 1);

    expect(sut.isNewest('ana', 99)).toBe(false);
    expect(sut.isNewest('user-0', 1)).toBe(true);
  });
});
