import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { EmbeddedDatabase } from './embedded-database';

// PGlite initialises a cluster in a few seconds; keep timeouts generous.
jest.setTimeout(60_000);

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

describe('EmbeddedDatabase', () => {
  let database: EmbeddedDatabase | undefined;
  let tempDir: string | undefined;

  afterEach(async () => {
    await database?.stop();
    database = undefined;
    if (tempDir) {
      await rm(tempDir, { recursive: true, force: true });
      tempDir = undefined;
    }
  });

  it('serves an in-memory database to the pg driver over TCP', async () => {
    database = await EmbeddedDatabase.start({ dataDir: 'memory://' });
    expect(database.url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);

    await withClient(database.url, async (client) => {
      const one = await client.query<{ one: number }>('SELECT 1 AS one');
      expect(one.rows).toEqual([{ one: 1 }]);

      await client.query(
        'CREATE TABLE widget (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name text NOT NULL)',
      );
      const inserted = await client.query<{ id: string }>(
        "INSERT INTO widget (name) VALUES ('sprocket') RETURNING id",
      );
      expect(inserted.rows[0]?.id).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
    });

    // More than one connection at a time (pglite-socket defaults to maxConnections: 1).
    const [a, b] = [
      new Client({ connectionString: database.url }),
      new Client({ connectionString: database.url }),
    ];
    await Promise.all([a.connect(), b.connect()]);
    try {
      const results = await Promise.all([a.query('SELECT 2 AS n'), b.query('SELECT 3 AS n')]);
      expect(results.map((r) => (r.rows[0] as { n: number }).n)).toEqual([2, 3]);
    } finally {
      await Promise.all([a.end(), b.end()]);
    }

    await database.stop();
    await database.stop(); // idempotent
  });

  it('keeps data in a filesystem dataDir across stop and start', async () => {
    tempDir = await mkdtemp(join(tmpdir(), 'parley-pglite-'));
    const dataDir = join(tempDir, 'nested', 'pgdata'); // created with mkdir -p

    database = await EmbeddedDatabase.start({ dataDir });
    await withClient(database.url, async (client) => {
      await client.query('CREATE TABLE note (id serial PRIMARY KEY, body text NOT NULL)');
      await client.query("INSERT INTO note (body) VALUES ('kept')");
    });
    await database.stop();

    database = await EmbeddedDatabase.start({ dataDir });
    const rows = await withClient(database.url, async (client) => {
      const result = await client.query<{ body: string }>('SELECT body FROM note');
      return result.rows;
    });
    expect(rows).toEqual([{ body: 'kept' }]);
  });
});
