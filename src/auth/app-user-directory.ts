import { Injectable } from '@nestjs/common';
import { type ChatUserProfile, UserDirectory } from '../chat/ports/user-directory.port';
import type { User } from './user.entity';
import { UsersService } from './users.service';

export function displayNameOf(user: User): string | null {
  const name = [user.firstName, user.lastName].filter(Boolean).join(' ').trim();
  return name || null;
}

/** This app's UserDirectory, over `app.users`. */
@Injectable()
export class AppUserDirectory extends UserDirectory {
  constructor(private readonly users: UsersService) {
    super();
  }

  async findUsers(userIds: readonly string[]): Promise<Map<string, ChatUserProfile>> {
    const users = await this.users.findByIds(userIds);
    return new Map(
      users.map((user) => [
        user.id,
        { id: user.id, displayName: displayNameOf(user), pictureUrl: user.profilePictureUrl },
      ]),
    );
  }
}
