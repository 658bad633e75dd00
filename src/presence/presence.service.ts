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
}
