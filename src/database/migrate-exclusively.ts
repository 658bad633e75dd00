import { Client } from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';

/** pg_advisory_lock key of Parley's migrations: "parley" as digits. */
const MIGRATION_LOCK_KEY = 7_265_726_137;

/**
 * Initialises the DataSource and runs pending migrations while holding a
 * PostgreSQL advisory lock, so several instances starting at once (a rolling
 * deploy, `npm run start:cluster`) migrate one after the other instead of
 * racing to create the same tables. The lock lives on its own connection: the
 * pool may be a single connection, which the migrations need.
 */
export async function initializeAndMigrate(
  options: DataSourceOptions & { url: string },
  runMigrations: boolean,
): Promise<DataSource> {
  const dataSource = new DataSource({ ...options, migrationsRun: false });
  await dataSource.initialize();
  if (!runMigrations) return dataSource;
  const lock = new Client({ connectionString: options.url });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await dataSource.runMigrations();
  } catch (error) {
    await dataSource.destroy();
    throw error;
  } finally {
    // Ending the session releases the lock.
    await lock.end().catch(() => undefined);
  }
  return dataSource;
}
