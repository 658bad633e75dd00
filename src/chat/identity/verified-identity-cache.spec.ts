import { randomUUID } from 'node:crypto';
import type { VerifiedIdentity } from '../ports/identity-verifier.port';
import { VerifiedIdentityCache } from './verified-identity-cache';

const START = Date.parse('2026-01-01T00:00:00Z');

function identity(expiresAt: Date | null = new Date(START + 3_600_000)): VerifiedIdentity {
  return { userId: randomUUID(), expiresAt };
}

describe(VerifiedIdentityCache.name, () => {
  let now: number;
  let sut: VerifiedIdentityCache;

  beforeEach(() => {
    now = START;
    sut = new VerifiedIdentityCache({ ttlMs: 2_000, maxEntries: 3, now: () => now });
  });

  it('should return nothing for a token it was never given', () => {
    expect(sut.get('unknown')).toBeNull();
  });

  it('should return a remembered identity until the ttl has passed', () => {
    const alice = identity();
    sut.remember('a', alice);

    now += 1_999;
    expect(sut.get('a')).toBe(alice);
    now += 1;
    expect(sut.get('a')).toBeNull();
  });

  it('should not keep an identity past its token’s expiry', () => {
    sut.remember('a', identity(new Date(START + 500)));

    now += 499;
    expect(sut.get('a')).not.toBeNull();
    now += 1;
    expect(sut.get('a')).toBeNull();
  });

  it('should not remember a token that has already expired', () => {
    sut.remember('a', identity(new Date(START - 1)));

    expect(sut.get('a')).toBeNull();
  });

  it('should remember a token without expiry for the ttl only', () => {
    sut.remember('a', identity(null));

    now += 2_000;
    expect(sut.get('a')).toBeNull();
  });

  it('should not extend the ttl when a remembered token is read', () => {
    sut.remember('a', identity());

    now += 1_500;
    expect(sut.get('a')).not.toBeNull();
    now += 500;
    expect(sut.get('a')).toBeNull();
  });

  it('should forget the oldest token when full', () => {
    sut.remember('a', identity());
    sut.remember('b', identity());
    sut.remember('c', identity());
    sut.remember('d', identity());

    expect(sut.get('a')).toBeNull();
    expect(['b', 'c', 'd'].map((token) => sut.get(token) !== null)).toEqual([true, true, true]);
  });

  it('should restart the ttl when a token is verified again', () => {
    sut.remember('a', identity());
    now += 1_500;
    const again = identity();
    sut.remember('a', again);

    now += 1_500;
    expect(sut.get('a')).toBe(again);
  });
});
