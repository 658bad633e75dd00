import { validateEnvironment } from './environment.schema';

describe(validateEnvironment.name, () => {
  it('should apply defaults and convert types', () => {
    const env = validateEnvironment({ PORT: '9000', DB_MIGRATIONS_RUN: 'false' });
    expect(env.PORT).toBe(9000);
    expect(env.DB_MIGRATIONS_RUN).toBe(false);
    expect(env.EMBEDDED_DB_DIR).toBe('./.data/pglite');
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it('should name the variable that is wrong', () => {
    expect(() => validateEnvironment({ PORT: 'eighty' })).toThrow(/^Invalid environment variable PORT/);
    expect(() => validateEnvironment({ DATABASE_URL: 'mysql://x' })).toThrow(
      /DATABASE_URL must be a postgres:\/\/ URL/,
    );
  });

  it('should require a long JWT_SECRET in production only', () => {
    expect(() => validateEnvironment({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET/);
    expect(() => validateEnvironment({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) })).not.toThrow();
    expect(() => validateEnvironment({ NODE_ENV: 'development' })).not.toThrow();
  });

  it('should run without Redis by default and validate the cluster variables', () => {
    const env = validateEnvironment({ PRESENCE_TTL_MS: '3000', PRESENCE_OFFLINE_GRACE_MS: '0' });
    expect(env.REDIS_URL).toBeUndefined();
    expect(env.REDIS_KEY_PREFIX).toBe('parley:');
    expect(env.PRESENCE_TTL_MS).toBe(3000);
    expect(env.PRESENCE_OFFLINE_GRACE_MS).toBe(0);

    expect(() => validateEnvironment({ REDIS_URL: 'localhost:6379' })).toThrow(
      /REDIS_URL must be a redis:\/\//,
    );
    expect(() => validateEnvironment({ INSTANCE_ID: 'node 1' })).toThrow(/INSTANCE_ID must be 1-100/);
    expect(() => validateEnvironment({ PRESENCE_TTL_MS: '500' })).toThrow(/PRESENCE_TTL_MS/);
    expect(validateEnvironment({ REDIS_URL: 'rediss://cache.internal:6380' }).REDIS_URL).toBe(
      'rediss://cache.internal:6380',
    );
  });
});
