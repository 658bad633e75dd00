import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../../src/database/data-source-options';
import { EmbeddedDatabase } from '../../src/database/embedded-database';
import type { TestDatabaseKind } from './test-database-url';

/** The local PostgreSQL the CI script starts (trust auth for `postgres` over TCP). */
export const LOCAL_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** What global-teardown must undo. Lives on globalThis: Jest runs setup and teardown in one process. */
export interface TestDatabaseCleanup {
  /** A throwaway database created on a PostgreSQL server, dropped through `adminUrl`. */
  throwaway?: { adminUrl: string; name: string };
  /** The embedded PGlite server started in this process. */
  embedded?: EmbeddedDatabase;
}

declare global {
  var __parleyTestDatabase: TestDatabaseCleanup | undefined;
}

interface ChosenDatabase {
  kind: TestDatabaseKind;
  url: string;
  cleanup: TestDatabaseCleanup;
}

/**
 * Jest globalSetup for the e2e project: choose a database, migrate it and hand its URL to the test
 * workers as TEST_DATABASE_URL (and TEST_DATABASE_KIND).
 *
 * 1. TEST_DATABASE_URL, if set, is used as is (migrations still run; nothing is dropped afterwards).
 * 2. Else, if PostgreSQL answers at 127.0.0.1:5432, a throwaway `parley_test_<time>_<random>` database.
 * 3. Else an embedded PGlite on 'memory://', served over TCP from this (the Jest parent) process.
 *    TEST_DATABASE_EMBEDDED=1 skips step 2 to force this path.
 */
export default async function globalSetup(): Promise<void> {
  const chosen = await chooseDatabase();
  globalThis.__parleyTestDatabase = chosen.cleanup;
  try {
    await runMigrations(chosen);
  } catch (error) {
    // Jest does not run globalTeardown when globalSetup fails: clean up here.
    await releaseTestDatabase(chosen.cleanup);
    globalThis.__parleyTestDatabase = undefined;
    throw error;
  }
  process.env.TEST_DATABASE_URL = chosen.url;
  process.env.TEST_DATABASE_KIND = chosen.kind;
  console.log(`\ne2e tests use ${describe(chosen)}`);
}

async function chooseDatabase(): Promise<ChosenDatabase> {
  const explicit = process.env.TEST_DATABASE_URL;
  if (explicit) {
    return { kind: 'external', url: explicit, cleanup: {} };
  }

  if (process.env.TEST_DATABASE_EMBEDDED !== '1') {
    const admin = await connectOrNull(LOCAL_POSTGRES_URL);
    if (admin) {
      try {
        const name = `parley_test_${Date.now()}_${randomBytes(4).toString('hex')}`;
        await admin.query(`CREATE DATABASE ${quoteIdentifier(name)}`);
        const url = new URL(LOCAL_POSTGRES_URL);
        url.pathname = `/${name}`;
        return {
          kind: 'postgres',
          url: url.toString(),
          cleanup: { throwaway: { adminUrl: LOCAL_POSTGRES_URL, name } },
        };
      } finally {
        await admin.end();
      }
    }
  }

  const embedded = await EmbeddedDatabase.start({ dataDir: 'memory://' });
  return { kind: 'embedded', url: embedded.url, cleanup: { embedded } };
}

async function connectOrNull(url: string): Promise<Client | null> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined); // a dropped probe connection must not crash Jest
  try {
    await client.connect();
    return client;
  } catch {
    await client.end().catch(() => undefined);
    return null;
  }
}

async function runMigrations({ url, kind }: ChosenDatabase): Promise<void> {
  // One connection: migrations need no more, and the embedded database must have no more.
  const dataSource = new DataSource(buildDataSourceOptions(url, { poolSize: 1, logging: false }));
  await dataSource.initialize();
  try {
    await dataSource.runMigrations();
  } catch (error) {
    throw new Error(`Migrating the ${kind} e2e test database failed: ${String(error)}`, { cause: error });
  } finally {
    await dataSource.destroy();
  }
}

/** Stops the embedded server and drops the throwaway database, whichever exist. Used by teardown too. */
export async function releaseTestDatabase(cleanup: TestDatabaseCleanup): Promise<void> {
  await cleanup.embedded?.stop();
  if (cleanup.throwaway) {
    const { adminUrl, name } = cleanup.throwaway;
    const admin = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
    } finally {
      await admin.end();
    }
  }
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The database for humans, without password or query string. */
function describe({ kind, url }: ChosenDatabase): string {
  const parsed = new URL(url);
  const where = `${parsed.username ? `${decodeURIComponent(parsed.username)}@` : ''}${parsed.host}${parsed.pathname}`;
  switch (kind) {
    case 'external':
      return `TEST_DATABASE_URL: postgres://${where}`;
    case 'postgres':
      return `a throwaway database on local PostgreSQL: postgres://${where}`;
    case 'embedded':
      return `embedded PGlite (memory://) at postgres://${where}`;
  }
}
