import { Body, Controller, Post } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { CreateMemberDto } from './create-member.dto';
import { HostTokenIssuer } from './host-token-issuer';
import { Member } from './member.entity';

/** The host's sign-up; served under the host's global prefix and URI version, e.g. /api/v2/members. */
@Controller('members')
export class MembersController {
  constructor(
    @InjectRepository(Member) private readonly members: Repository<Member>,
    private readonly tokens: HostTokenIssuer,
  ) {}

  @Post()
  async create(@Body() body: CreateMemberDto): Promise<{ id: string; nickname: string; token: string }> {
    const member = await this.members.save(
      this.members.create({ nickname: body.nickname, avatarUrl: body.avatar_url ?? null }),
    );
    return { id: member.id, nickname: member.nickname, token: await this.tokens.issue(member.id) };
  }
}
