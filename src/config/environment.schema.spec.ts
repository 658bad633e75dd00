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
});
