import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Redis, type RedisOptions } from 'ioredis';

export type RedisState = 'up' | 'down';

/** Reconnect quickly at first, then every 2 s, forever: an outage must end without a restart. */
const retryStrategy = (attempt: number): number => Math.min(100 * attempt, 2_000);

/**
 * This instance's two connections to Redis: one for commands and publishing,
 * one in subscriber mode. Commands fail fast while Redis is down (no offline
 * queue) so a send never waits on Redis: the database is the source of truth
 * and what Redis missed is caught up from it. Listeners hear when both
 * connections are back after an outage.
 */
export class RedisLink implements OnApplicationShutdown {
  private readonly logger = new Logger(RedisLink.name);
  readonly commands: Redis;
  readonly subscriber: Redis;
  private readonly recoveryListeners = new Set<() => void>();
  /**
   * Starts true: sockets may open before the first connection is ready (their
   * SUBSCRIBE then waits), and the first `ready` must catch them up like a recovery.
   */
  private wasDown = true;
  private closing = false;

  constructor(url: string, instanceId: string) {
    const options: RedisOptions = {
      retryStrategy,
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
      connectionName: `parley:${instanceId}`,
    };
    // Auto-pipelining: the events of one group-committed batch (and the rate-limit
    // counts of one turn) go to Redis in one write instead of one per command.
    this.commands = new Redis(url, { ...options, enableOfflineQueue: false, enableAutoPipelining: true });
    // Subscriber mode: SUBSCRIBE sent while down waits for the reconnection, and the
    // channels already subscribed are re-subscribed automatically.
    this.subscriber = new Redis(url, { ...options, enableOfflineQueue: true, autoResubscribe: true });
    for (const connection of [this.commands, this.subscriber]) {
      connection.on('error', (error: Error) => this.onError(error));
      connection.on('close', () => this.onDown());
      connection.on('ready', () => this.onReady());
    }
  }

  get state(): RedisState {
    return this.commands.status === 'ready' && this.subscriber.status === 'ready' ? 'up' : 'down';
  }

  /** Called each time both connections are ready again after either was lost. */
  onRecovered(listener: () => void): () => void {
    this.recoveryListeners.add(listener);
    return () => this.recoveryListeners.delete(listener);
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    await Promise.all(
      [this.commands, this.subscriber].map((connection) =>
        connection.quit().catch(() => connection.disconnect()),
      ),
    );
  }

  private onError(error: Error): void {
    // ioredis reports every failed reconnection attempt; one line per outage is enough.
    if (!this.wasDown && !this.closing) this.logger.warn({ err: error }, 'Redis connection error');
  }

  private onDown(): void {
    if (this.closing || this.wasDown) return;
    this.wasDown = true;
    this.logger.warn('Redis is unreachable: serving local sockets only until it is back');
  }

  private onReady(): void {
    if (!this.wasDown || this.state !== 'up') return;
    this.wasDown = false;
    this.logger.log('Redis is up: catching up what other instances published meanwhile');
    for (const listener of this.recoveryListeners) listener();
  }
}
