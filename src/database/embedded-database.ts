import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedDatabaseOptions {
  /** A filesystem path (created if missing) or 'memory://' for a throwaway in-memory database. */
  dataDir: string;
  /**
   * Socket connections the server accepts at once. pglite-socket defaults to 1, which refuses
   * every pooled connection after the first; keep this above any client pool size.
   */
  maxConnections?: number;
}

const DEFAULT_MAX_CONNECTIONS = 10;
const HOST = '127.0.0.1';

/**
 * An embedded PostgreSQL (PGlite, WASM) served over TCP on 127.0.0.1 by pglite-socket, so the
 * ordinary `pg` driver (and TypeORM's `postgres` driver) can talk to it.
 *
 * Caveats (see STACK-NOTES): every socket connection shares ONE Postgres session, an open
 * transaction blocks all other connections, and a client pool of one connection is the safe choice.
 * Never open the same dataDir from two processes.
 */
export class EmbeddedDatabase {
  private stopping: Promise<void> | undefined;

  private constructor(
    private readonly db: PGlite,
    private readonly server: PGLiteSocketServer,
    private readonly port: number,
  ) {}

  static async start(options: EmbeddedDatabaseOptions): Promise<EmbeddedDatabase> {
    const { dataDir, maxConnections = DEFAULT_MAX_CONNECTIONS } = options;
    if (!dataDir.startsWith('memory://')) {
      await mkdir(dataDir, { recursive: true });
    }
    const db = await PGlite.create(dataDir);
    const server = new PGLiteSocketServer({ db, host: HOST, port: 0, maxConnections });
    try {
      await server.start();
    } catch (error) {
      await db.close();
      throw error;
    }
    // After start() the server reports the port it actually bound: "127.0.0.1:54321".
    const port = Number(/:(\d+)$/.exec(server.getServerConn())?.[1]);
    if (!Number.isInteger(port) || port <= 0) {
      await server.stop();
      await db.close();
      throw new Error(`pglite-socket reported an unexpected address: ${server.getServerConn()}`);
    }
    return new EmbeddedDatabase(db, server, port);
  }

  /** A `pg`-compatible connection URL. PGlite accepts any user and database name; no password, no SSL. */
  get url(): string {
    return `postgres://postgres@${HOST}:${this.port}/postgres`;
  }

  /** Closes the socket server (dropping its connections), then PGlite. Safe to call more than once. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.server.stop();
      if (!this.db.closed) {
        await this.db.close();
      }
    })();
    return this.stopping;
  }
}
