import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type ChatUserProfile, UserDirectory } from 'parley';
import { In, type Repository } from 'typeorm';
import { Member } from '../members/member.entity';

/** Parley's UserDirectory port over the host's members table. */
@Injectable()
export class MemberUserDirectory extends UserDirectory {
  constructor(@InjectRepository(Member) private readonly members: Repository<Member>) {
    super();
  }

  async findUsers(userIds: readonly string[]): Promise<Map<string, ChatUserProfile>> {
    if (userIds.length === 0) return new Map();
    const members = await this.members.findBy({ id: In([...userIds]) });
    return new Map(
      members.map((member) => [
        member.id,
        { id: member.id, displayName: member.nickname, pictureUrl: member.avatarUrl },
      ]),
    );
  }
}
