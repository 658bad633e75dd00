import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { UserPresence } from './user-presence.entity';

const PRESENCE_COLUMNS = 'is_online, last_seen_at, updated_at, presence_version';

interface PresenceRow {
  is_online: boolean;
  last_seen_at: Date | null;
  updated_at: Date;
  /** bigint: node-postgres reads it as a string, as the entity keeps it. */
  presence_version: string;
}

function presenceFromRow(userId: string, row: PresenceRow): UserPresence {
  return Object.assign(new UserPresence(), {
    userId,
    isOnline: row.is_online,
    lastSeenAt: row.last_seen_at,
    updatedAt: row.updated_at,
    presenceVersion: row.presence_version,
  });
}

/** Reads and records who is online, in `chat.user_presence`. */
@Injectable()
export class PresenceService {
  constructor(@InjectRepository(UserPresence) private readonly presence: Repository<UserPresence>) {}

  async onlineUserIds(userIds: readonly string[]): Promise<Set<string>> {
    if (userIds.length === 0) return new Set();
    const rows = await this.presence.find({
      select: { userId: true },
      where: { userId: In([...userIds]), isOnline: true },
    });
    return new Set(rows.map((row) => row.userId));
  }

  /**
   * Read on every socket connect (the presence snapshot), so in plain SQL like record():
   * building TypeORM's `findOneBy` query cost more CPU than running it.
   */
  async find(userId: string): Promise<UserPresence | null> {
    const rows: PresenceRow[] = await this.presence.query(
      `SELECT ${PRESENCE_COLUMNS} FROM chat.user_presence WHERE user_id = $1`,
      [userId],
    );
    return rows.length === 0 ? null : presenceFromRow(userId, rows[0]);
  }

  /**
   * Records a transition unless a newer one (higher version) is already stored: instances
   * write concurrently and the row must end at the newest. `last_seen_at` moves on both,
   * so it is the last moment the user was seen connected. Returns null when superseded.
   */
  async record(userId: string, isOnline: boolean, version: number): Promise<UserPresence | null> {
    const rows: PresenceRow[] = await this.presence.query(
      `INSERT INTO chat.user_presence (user_id, is_online, last_seen_at, updated_at, presence_version)
       VALUES ($1, $2, now(), now(), $3)
       ON CONFLICT (user_id) DO UPDATE
         SET is_online = EXCLUDED.is_online, last_seen_at = now(), updated_at = now(),
             presence_version = EXCLUDED.presence_version
         WHERE chat.user_presence.presence_version < EXCLUDED.presence_version
       RETURNING ${PRESENCE_COLUMNS}`,
      [userId, isOnline, version],
    );
    return rows.length === 0 ? null : presenceFromRow(userId, rows[0]);
  }

  /** Users the database shows online: checked at start-up against who really is. */
  async onlineFlagged(): Promise<string[]> {
    const rows: Array<{ user_id: string }> = await this.presence.query(
      `SELECT user_id FROM chat.user_presence WHERE is_online`,
    );
    return rows.map((row) => row.user_id);
  }

  /** Clears online flags no instance stands behind (left by a crash), unless a newer transition landed. */
  async clearStale(userIds: readonly string[], version: number): Promise<void> {
    if (userIds.length === 0) return;
    await this.presence.query(
      `WITH cleared AS (
         UPDATE chat.user_presence SET is_online = false, updated_at = now(), presence_version = $2
         WHERE user_id = ANY($1::uuid[]) AND is_online AND presence_version < $2
         RETURNING 1)
       SELECT count(*) FROM cleared`,
      [userIds, version],
    );
  }
}
