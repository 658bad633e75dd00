import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Client } from 'pg';

const run = promisify(execFile);

/** The database's own ceiling: single-row INSERT transactions/s from pgbench at the server's pool size. */
export async function pgbenchInsertTps(
  db: Client,
  databaseUrl: string,
  clients: number,
  seconds: number,
): Promise<number> {
  await db.query(
    `CREATE TABLE IF NOT EXISTS public.bench_pgbench_inserts (
       id bigserial PRIMARY KEY, conversation_id uuid NOT NULL DEFAULT gen_random_uuid(),
       content text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
  );
  const script = path.join(tmpdir(), `parley-pgbench-${process.pid}.sql`);
  writeFileSync(
    script,
    "INSERT INTO public.bench_pgbench_inserts (content) VALUES ('pgbench baseline message');\n",
  );
  const { stdout } = await run('pgbench', [
    '-n',
    '-c',
    String(clients),
    '-j',
    '2',
    '-T',
    String(seconds),
    '-f',
    script,
    databaseUrl,
  ]);
  await db.query('TRUNCATE public.bench_pgbench_inserts');
  const match = /tps = ([\d.]+)/.exec(stdout);
  if (!match) throw new Error(`could not read pgbench output:\n${stdout}`);
  return Number(match[1]);
}
