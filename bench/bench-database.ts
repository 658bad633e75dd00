import { JwtService } from '@nestjs/jwt';
import { Client } from 'pg';

export interface BenchUser {
  id: string;
  token: string;
}

export interface BenchConversation {
  id: string;
  client: BenchUser;
  owner: BenchUser;
}

/**
 * The benchmark's own databases: their names start with this, and only these are
 * dropped and created anew for every run.
 */
const OWN_DATABASE = /^parley_bench/;

/**
 * Gets the bench database ready; refuses anything but a real PostgreSQL server.
 * A database of the benchmark's own (`parley_bench...`) starts every run empty:
 * runs used to pile up (2 million messages and 1 GB after a day of runs, never
 * vacuumed where autovacuum is off), so later runs measured a bigger, bloated
 * database than earlier ones. Any other database is created when missing and
 * otherwise used as it is. Returns whether it was made anew.
 */
export async function prepareDatabase(url: string): Promise<{ fresh: boolean }> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `cannot reach PostgreSQL at ${admin.host} (${String(error)}). The benchmark needs a real server: ` +
        'it never runs on the embedded database.',
      { cause: error },
    );
  }
  try {
    const version = await client.query<{ version: string }>('SELECT version()');
    if (/pglite/i.test(version.rows[0].version))
      throw new Error('refusing to benchmark the embedded database');
    const quoted = `"${name.replace(/"/g, '""')}"`;
    const fresh = OWN_DATABASE.test(name);
    if (fresh) await client.query(`DROP DATABASE IF EXISTS ${quoted} WITH (FORCE)`);
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${quoted}`);
    return { fresh };
  } finally {
    await client.end();
  }
}

/** Seeds users, listings and 1:1 conversations straight into the (migrated) database. */
export class BenchSeeder {
  private readonly jwt: JwtService;

  constructor(
    private readonly db: Client,
    jwtSecret: string,
  ) {
    this.jwt = new JwtService({ secret: jwtSecret, signOptions: { algorithm: 'HS256', expiresIn: '6h' } });
  }

  async conversations(count: number): Promise<BenchConversation[]> {
    const run = `${Date.now()}_${Math.random().toString(36).slice(2, 8)}`;
    const users = await this.db.query<{ id: string }>(
      `INSERT INTO app.users (email, password_hash, first_name)
       SELECT 'bench_' || $1 || '_' || g || '@bench.invalid', 'not-a-hash', 'Bench ' || g
       FROM generate_series(1, $2::int) AS g RETURNING id`,
      [run, count * 2],
    );
    const ids = users.rows.map((row) => row.id);
    const owners = ids.slice(0, count);
    const clients = ids.slice(count);
    const listings = await this.db.query<{ id: string; owner_user_id: string }>(
      `INSERT INTO app.listings (owner_user_id, title, price, currency)
       SELECT owner, 'Bench listing', 10, 'EUR' FROM unnest($1::uuid[]) AS owner RETURNING id, owner_user_id`,
      [owners],
    );
    const conversations = await this.db.query<{ id: string; client_user_id: string; owner_user_id: string }>(
      `INSERT INTO chat.conversations (listing_id, client_user_id, owner_user_id)
       SELECT l.id, c.client, l.owner_user_id
       FROM unnest($1::uuid[], $2::uuid[]) WITH ORDINALITY AS l(id, owner_user_id, n)
       JOIN unnest($3::uuid[]) WITH ORDINALITY AS c(client, n) USING (n)
       RETURNING id, client_user_id, owner_user_id`,
      [listings.rows.map((row) => row.id), listings.rows.map((row) => row.owner_user_id), clients],
    );
    // As autovacuum's analyse would after such an insert: plans made next (the send
    // statement's, the foreign key check's) must know how many conversations there are.
    await this.db.query('ANALYZE app.users, app.listings, chat.conversations');
    return Promise.all(
      conversations.rows.map(async (row) => ({
        id: row.id,
        client: await this.user(row.client_user_id),
        owner: await this.user(row.owner_user_id),
      })),
    );
  }

  /**
   * Fills one conversation with `count` messages (seq 1..count) for the history figure.
   *
   * Like a real long conversation, everything but the newest `unread` messages
   * was delivered and read long ago. Until 2026-11 every seeded message was
   * still `sent`, so nearly every page P8 fetched was a first read that also
   * UPDATEd ~25 rows to `delivered`: the figure mostly measured delivery
   * marking, which old history never needs. The newest `unread` messages stay
   * `sent`, so the clients that reach them still mark them delivered (once);
   * pass `unread: count` to measure the old, all-undelivered case.
   */
  async history(conversation: BenchConversation, count: number, unread = 100): Promise<void> {
    await this.db.query(
      `INSERT INTO chat.messages
         (conversation_id, sender_user_id, seq, content, created_at, status, delivered_at, read_at)
       SELECT $1, CASE WHEN g % 2 = 0 THEN $2::uuid ELSE $3::uuid END, g,
              'history message ' || g, t.created_at,
              CASE WHEN g <= $4::int - $5::int THEN 'read' ELSE 'sent' END,
              CASE WHEN g <= $4::int - $5::int THEN t.created_at + interval '1 second' END,
              CASE WHEN g <= $4::int - $5::int THEN t.created_at + interval '1 second' END
       FROM generate_series(1, $4::int) AS g,
            LATERAL (SELECT now() - make_interval(secs => $4::int - g) AS created_at) AS t`,
      [conversation.id, conversation.client.id, conversation.owner.id, count, unread],
    );
    await this.db.query(
      `UPDATE chat.conversations
       SET last_seq = $2, last_message_at = now(),
           client_last_read_seq = GREATEST($2::int - $3::int, 0), owner_last_read_seq = GREATEST($2::int - $3::int, 0)
       WHERE id = $1`,
      [conversation.id, count, unread],
    );
    // What autovacuum would have done to old history (it is off on some machines, CI's among them).
    await this.db.query('VACUUM (ANALYZE) chat.messages, chat.conversations');
  }

  private async user(id: string): Promise<BenchUser> {
    return { id, token: await this.jwt.signAsync({ sub: id, type: 'access' }) };
  }
}
