import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { EmbeddedDatabase } from '../../src/database/embedded-database';
import { testDatabaseKind, testDatabaseUrl } from './test-database-url';

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

/**
 * An empty database of its own for a suite that runs its own migrations (a host
 * app's DataSource). On the server the e2e database lives on, or, when that is
 * the embedded one, another embedded PGlite.
 */
export async function createScratchDatabase(): Promise<ScratchDatabase> {
  if (testDatabaseKind() === 'embedded') {
    const embedded = await EmbeddedDatabase.start({ dataDir: 'memory://' });
    return { url: embedded.url, drop: () => embedded.stop() };
  }
  const adminUrl = new URL(testDatabaseUrl());
  adminUrl.pathname = '/postgres';
  const name = `parley_scratch_${Date.now()}_${randomBytes(4).toString('hex')}`;
  await adminQuery(adminUrl.toString(), `CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => adminQuery(adminUrl.toString(), `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
