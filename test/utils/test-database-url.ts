/**
 * The PostgreSQL URL the e2e tests run against. `test/utils/global-setup.ts` picks the database (an
 * explicit TEST_DATABASE_URL, a throwaway database on a local PostgreSQL, or an embedded PGlite),
 * migrates it, and exports its URL to the test workers through this variable.
 */
export function testDatabaseUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    throw new Error(
      'TEST_DATABASE_URL is not set. Run e2e tests through Jest (`npm run test:e2e`) so that ' +
        'test/utils/global-setup.ts prepares a database, or set TEST_DATABASE_URL to a migrated PostgreSQL database.',
    );
  }
  return url;
}

/**
 * Which kind of database global-setup chose. On 'embedded' (PGlite behind pglite-socket) use a
 * client pool of ONE connection: all socket connections share one Postgres session (see STACK-NOTES).
 */
export type TestDatabaseKind = 'external' | 'postgres' | 'embedded';

export function testDatabaseKind(): TestDatabaseKind {
  const kind = process.env.TEST_DATABASE_KIND;
  return kind === 'postgres' || kind === 'embedded' ? kind : 'external';
}
