import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { UserPresence } from './user-presence.entity';

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

  find(userId: string): Promise<UserPresence | null> {
    return this.presence.findOneBy({ userId });
  }

  /** Records a transition; `last_seen_at` moves on both, so it is the last moment seen connected. */
  async record(userId: string, isOnline: boolean): Promise<UserPresence> {
    const rows: Array<{ last_seen_at: Date; updated_at: Date }> = await this.presence.query(
      `INSERT INTO chat.user_presence (user_id, is_online, last_seen_at, updated_at)
       VALUES ($1, $2, now(), now())
       ON CONFLICT (user_id) DO UPDATE
         SET is_online = EXCLUDED.is_online, last_seen_at = now(), updated_at = now()
       RETURNING last_seen_at, updated_at`,
      [userId, isOnline],
    );
    return Object.assign(new UserPresence(), {
      userId,
      isOnline,
      lastSeenAt: rows[0].last_seen_at,
      updatedAt: rows[0].updated_at,
    });
  }

  /** After a crash nobody is connected to this instance: flags it left behind are stale. */
  async clearStaleOnline(): Promise<void> {
    await this.presence.query(
      `UPDATE chat.user_presence SET is_online = false, updated_at = now() WHERE is_online`,
    );
  }
}
