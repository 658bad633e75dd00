import type { DataSource } from 'typeorm';

export interface PreparedStatement {
  /** Unique per statement text: PostgreSQL keeps one plan per name and connection. */
  readonly name: string;
  readonly text: string;
}

type Row = Record<string, unknown>;

/** The part of node-postgres' Pool that TypeORM's postgres driver keeps as `master`. */
interface PgPool {
  query(config: { name?: string; text: string; values: readonly unknown[] }): Promise<{ rows: Row[] }>;
}

function poolOf(dataSource: DataSource): PgPool | null {
  const master = (dataSource.driver as { master?: unknown }).master;
  return typeof (master as Partial<PgPool> | undefined)?.query === 'function' ? (master as PgPool) : null;
}

/**
 * Runs hot-path statements as named prepared statements, so PostgreSQL parses
 * and plans each once per connection instead of on every call: planning the
 * statement that stores a message cost more than running it (pgbench on the
 * same statement: 2,085 tps prepared against 961 re-planned).
 *
 * Not on the embedded database: PGlite shares one session between all its
 * connections and keeps a prepared statement after the connection that made it
 * is gone, so the next connection preparing the same name would fail. Not when
 * the operator turns them off (`named: false`), for a pooler that cannot keep
 * them: the same statements then go unnamed, planned on every call.
 */
export class PreparedStatements {
  private namedAllowed?: Promise<boolean>;

  constructor(
    private readonly dataSource: DataSource,
    named = true,
  ) {
    if (!named) this.namedAllowed = Promise.resolve(false);
  }

  async query<R extends Row = Row>(statement: PreparedStatement, values: readonly unknown[]): Promise<R[]> {
    const pool = poolOf(this.dataSource);
    if (!pool) return this.dataSource.query<R[]>(statement.text, [...values]);
    const named = await this.namedStatementsAllowed();
    const result = await pool.query(
      named ? { name: statement.name, text: statement.text, values } : { text: statement.text, values },
    );
    return result.rows as R[];
  }

  private namedStatementsAllowed(): Promise<boolean> {
    // Asked once; a failure (database down) is not remembered.
    this.namedAllowed ??= this.serverKeepsSessionsApart().catch((error: unknown) => {
      this.namedAllowed = undefined;
      throw error;
    });
    return this.namedAllowed;
  }

  private async serverKeepsSessionsApart(): Promise<boolean> {
    const rows = await this.dataSource.query<Array<{ version: string }>>('SELECT version() AS version');
    return !/pglite/i.test(rows[0]?.version ?? '');
  }
}
