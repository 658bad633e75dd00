import type { DataSource } from 'typeorm';
import { type PreparedStatement, PreparedStatements } from './prepared-statements';

const STATEMENT: PreparedStatement = { name: 'parley_test_v1', text: 'SELECT $1::int AS n' };

/** A DataSource whose driver keeps a node-postgres-like pool, recording what it was asked. */
function fakeDataSource(version: string | Error, withPool = true) {
  const poolQueries: Array<{ name?: string; text: string; values: readonly unknown[] }> = [];
  const versionQueries: string[] = [];
  const plainQueries: Array<{ text: string; values: unknown[] }> = [];
  const dataSource = {
    driver: withPool
      ? {
          master: {
            query: (config: { name?: string; text: string; values: readonly unknown[] }) => {
              poolQueries.push(config);
              return Promise.resolve({ rows: [{ n: config.values[0] }] });
            },
          },
        }
      : {},
    query: (text: string, values?: unknown[]) => {
      if (text.startsWith('SELECT version()')) {
        versionQueries.push(text);
        return version instanceof Error ? Promise.reject(version) : Promise.resolve([{ version }]);
      }
      plainQueries.push({ text, values: values ?? [] });
      return Promise.resolve([{ n: values?.[0] }]);
    },
  } as unknown as DataSource;
  return { dataSource, poolQueries, versionQueries, plainQueries };
}

describe(PreparedStatements.name, () => {
  it('runs a statement by name on a real PostgreSQL, asking for the server version once', async () => {
    const db = fakeDataSource('PostgreSQL 15.20 on x86_64-pc-linux-gnu');
    const sut = new PreparedStatements(db.dataSource);

    await expect(sut.query(STATEMENT, [1])).resolves.toEqual([{ n: 1 }]);
    await sut.query(STATEMENT, [2]);

    expect(db.poolQueries).toEqual([
      { name: 'parley_test_v1', text: STATEMENT.text, values: [1] },
      { name: 'parley_test_v1', text: STATEMENT.text, values: [2] },
    ]);
    expect(db.versionQueries).toHaveLength(1);
  });

  it('runs it unnamed on PGlite, whose connections share one session', async () => {
    const db = fakeDataSource('PostgreSQL 18.6 (PGlite 0.5.14) on wasm32-unknown-emscripten');
    const sut = new PreparedStatements(db.dataSource);

    await sut.query(STATEMENT, [1]);

    expect(db.poolQueries).toEqual([{ text: STATEMENT.text, values: [1] }]);
  });

  it('runs it unnamed without asking anything when the operator turned names off', async () => {
    const db = fakeDataSource('PostgreSQL 15.20');
    const sut = new PreparedStatements(db.dataSource, false);

    await sut.query(STATEMENT, [1]);

    expect(db.poolQueries).toEqual([{ text: STATEMENT.text, values: [1] }]);
    expect(db.versionQueries).toHaveLength(0);
  });

  it('does not remember a failed version check', async () => {
    const down = fakeDataSource(new Error('connection refused'));
    const sut = new PreparedStatements(down.dataSource);
    await expect(sut.query(STATEMENT, [1])).rejects.toThrow('connection refused');
    await expect(sut.query(STATEMENT, [1])).rejects.toThrow('connection refused');

    expect(down.versionQueries).toHaveLength(2);
  });

  it('falls back to the DataSource when the driver keeps no pool', async () => {
    const db = fakeDataSource('PostgreSQL 15.20', false);
    const sut = new PreparedStatements(db.dataSource);

    await expect(sut.query(STATEMENT, [7])).resolves.toEqual([{ n: 7 }]);

    expect(db.plainQueries).toEqual([{ text: STATEMENT.text, values: [7] }]);
  });
});
