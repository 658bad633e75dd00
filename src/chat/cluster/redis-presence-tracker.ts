import type { Redis } from 'ioredis';
import { PresenceTracker, type PresenceTransition } from './presence-tracker';
import {
  CONNECT_SCRIPT,
  DISCONNECT_SCRIPT,
  HEARTBEAT_SCRIPT,
  LEAVE_SCRIPT,
  SWEEP_SCRIPT,
  VERSION_SCRIPT,
} from './redis-presence.scripts';

export interface RedisPresenceOptions {
  instanceId: string;
  keyPrefix: string;
  ttlMs: number;
  offlineGraceMs: number;
}

/** The scripts, as ioredis commands (EVALSHA, loading the script on first use). */
interface PresenceCommands {
  parleyPresenceConnect(...args: Array<string | number>): Promise<string | null>;
  parleyPresenceDisconnect(...args: Array<string | number>): Promise<number>;
  parleyPresenceHeartbeat(...args: Array<string | number>): Promise<string[]>;
  parleyPresenceSweep(...args: Array<string | number>): Promise<string[]>;
  parleyPresenceLeave(...args: Array<string | number>): Promise<string[]>;
  parleyPresenceVersion(...args: Array<string | number>): Promise<string>;
}

/**
 * Cluster-wide presence in Redis: each instance keeps its users alive under a
 * heartbeat with a TTL, so the users of an instance that dies without a word go
 * offline within the TTL, found by whichever instance sweeps first.
 */
export class RedisPresenceTracker extends PresenceTracker {
  private readonly redis: Redis & PresenceCommands;

  constructor(
    redis: Redis,
    private readonly options: RedisPresenceOptions,
  ) {
    super();
    const scripts = {
      parleyPresenceConnect: CONNECT_SCRIPT,
      parleyPresenceDisconnect: DISCONNECT_SCRIPT,
      parleyPresenceHeartbeat: HEARTBEAT_SCRIPT,
      parleyPresenceSweep: SWEEP_SCRIPT,
      parleyPresenceLeave: LEAVE_SCRIPT,
      parleyPresenceVersion: VERSION_SCRIPT,
    };
    for (const [name, lua] of Object.entries(scripts)) redis.defineCommand(name, { numberOfKeys: 0, lua });
    this.redis = redis as Redis & PresenceCommands;
  }

  async connected(userId: string): Promise<PresenceTransition | null> {
    const { keyPrefix, instanceId, ttlMs } = this.options;
    const version = await this.redis.parleyPresenceConnect(keyPrefix, instanceId, ttlMs, userId);
    return version === null ? null : { userId, isOnline: true, version: Number(version) };
  }

  async disconnected(userId: string): Promise<void> {
    const { keyPrefix, instanceId, offlineGraceMs } = this.options;
    await this.redis.parleyPresenceDisconnect(keyPrefix, instanceId, offlineGraceMs, userId);
  }

  async refresh(localUserIds: readonly string[]): Promise<PresenceTransition[]> {
    const { keyPrefix, instanceId, ttlMs, offlineGraceMs } = this.options;
    const reply = await this.redis.parleyPresenceHeartbeat(
      keyPrefix,
      instanceId,
      ttlMs,
      offlineGraceMs,
      ...localUserIds,
    );
    return transitions(reply, true);
  }

  async sweep(): Promise<PresenceTransition[]> {
    return transitions(await this.redis.parleyPresenceSweep(this.options.keyPrefix), false);
  }

  async notOnline(userIds: readonly string[]): Promise<string[]> {
    if (userIds.length === 0) return [];
    const members = await this.redis.smismember(this.onlineKey(), ...userIds);
    return userIds.filter((_, index) => members[index] === 0);
  }

  onlineCount(): Promise<number> {
    return this.redis.scard(this.onlineKey());
  }

  async leave(): Promise<PresenceTransition[]> {
    const { keyPrefix, instanceId, offlineGraceMs } = this.options;
    return transitions(await this.redis.parleyPresenceLeave(keyPrefix, instanceId, offlineGraceMs), false);
  }

  async nextVersion(): Promise<number> {
    return Number(await this.redis.parleyPresenceVersion(this.options.keyPrefix));
  }

  private onlineKey(): string {
    return `${this.options.keyPrefix}presence:online`;
  }
}

/** `[user, version, user, version, ...]` from a script. */
function transitions(reply: string[], isOnline: boolean): PresenceTransition[] {
  const result: PresenceTransition[] = [];
  for (let index = 0; index + 1 < reply.length; index += 2) {
    result.push({ userId: reply[index], isOnline, version: Number(reply[index + 1]) });
  }
  return result;
}
