import { tokenExpiresAt } from './jwt';

function jwt(payload: object): string {
  const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(payload)}.signature`;
}

describe(tokenExpiresAt.name, () => {
  it('should read exp in milliseconds without verifying', () => {
    expect(tokenExpiresAt(jwt({ sub: 'ü-user', exp: 1_800_000_000 }))).toBe(1_800_000_000_000);
  });

  it('should give undefined for tokens without exp or that are not JWTs', () => {
    expect(tokenExpiresAt(jwt({ sub: 'user' }))).toBeUndefined();
    expect(tokenExpiresAt('opaque-token')).toBeUndefined();
    expect(tokenExpiresAt('a.%%%.c')).toBeUndefined();
  });
});
