import { InMemoryPresenceTracker } from './in-memory-presence-tracker';
import type { PresenceTracker } from './presence-tracker';

const GRACE_MS = 5_000;

describe(InMemoryPresenceTracker.name, () => {
  let now: number;
  let sut: PresenceTracker;

  beforeEach(() => {
    now = 1_700_000_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    sut = new InMemoryPresenceTracker(GRACE_MS);
  });

  afterEach(() => jest.restoreAllMocks());

  describe('connected()', () => {
    it('should announce a user coming online once', async () => {
      const first = await sut.connected('ana');
      const again = await sut.connected('ana');

      expect(first).toEqual({ userId: 'ana', isOnline: true, version: expect.any(Number) });
      expect(first!.version).toBeGreaterThan(0);
      expect(again).toBeNull();
    });

    it('should cancel the offline transition when the user reconnects within the grace period', async () => {
      await sut.connected('ana');
      await sut.disconnected('ana');
      now += GRACE_MS - 1;

      const reconnected = await sut.connected('ana');
      now += GRACE_MS;

      expect(reconnected).toBeNull();
      expect(await sut.sweep()).toEqual([]);
      expect(await sut.notOnline(['ana'])).toEqual([]);
    });
  });

  describe('sweep()', () => {
    it('should take a disconnected user offline once the grace period ran out, once', async () => {
      const online = await sut.connected('ana');
      await sut.disconnected('ana');

      now += GRACE_MS - 1;
      const early = await sut.sweep();
      now += 1;
      const due = await sut.sweep();
      const again = await sut.sweep();

      expect(early).toEqual([]);
      expect(due).toEqual([{ userId: 'ana', isOnline: false, version: expect.any(Number) }]);
      expect(due[0].version).toBeGreaterThan(online!.version);
      expect(again).toEqual([]);
    });

    it('should announce a user online again after they went offline', async () => {
      await sut.connected('ana');
      await sut.disconnected('ana');
      now += GRACE_MS;
      await sut.sweep();

      const back = await sut.connected('ana');

      expect(back).toMatchObject({ userId: 'ana', isOnline: true });
    });

    it('should ignore a disconnect of a user who was never online', async () => {
      await sut.disconnected('ana');
      now += GRACE_MS;

      expect(await sut.sweep()).toEqual([]);
    });
  });

  it('should make versions strictly increase, even within one millisecond or when the clock steps back', async () => {
    const versions: number[] = [];
    for (let round = 0; round < 3; round += 1) {
      versions.push((await sut.connected('ana'))!.version);
      await sut.disconnected('ana');
      now += GRACE_MS;
      versions.push((await sut.sweep())[0].version);
      now -= GRACE_MS;
    }
    versions.push(await sut.nextVersion());

    const increasing = versions.every((version, index) => index === 0 || version > versions[index - 1]);
    expect(increasing).toBe(true);
    expect(versions[0]).toBeGreaterThanOrEqual(now * 1000);
  });

  it('should have nothing to bring back on refresh()', async () => {
    await sut.connected('ana');

    expect(await sut.refresh(['ana', 'omar'])).toEqual([]);
  });

  it('should count users online, including those within their grace period', async () => {
    await sut.connected('ana');
    await sut.connected('omar');
    await sut.disconnected('omar');

    expect(await sut.onlineCount()).toBe(2);
    expect(await sut.notOnline(['ana', 'omar', 'lea'])).toEqual(['lea']);
    now += GRACE_MS;
    await sut.sweep();
    expect(await sut.onlineCount()).toBe(1);
    expect(await sut.notOnline(['ana', 'omar', 'lea'])).toEqual(['omar', 'lea']);
  });

  it('should take every online user offline at once on leave()', async () => {
    await sut.connected('ana');
    await sut.connected('omar');
    await sut.disconnected('omar');
    const before = await sut.nextVersion();

    const left = await sut.leave(['ana']);

    expect(left).toEqual([
      { userId: 'ana', isOnline: false, version: expect.any(Number) },
      { userId: 'omar', isOnline: false, version: expect.any(Number) },
    ]);
    expect(left.every((transition) => transition.version > before)).toBe(true);
    expect(await sut.onlineCount()).toBe(0);
    now += GRACE_MS;
    expect(await sut.sweep()).toEqual([]);
  });
});
