import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ChatAccess } from '../chat/chat-access';
import { Conversation } from '../chat/entities/conversation.entity';
import { ChatException } from '../chat/errors/chat.exception';
import type { ConversationNotificationsResponse } from './dto/conversation-notifications.dto';

/** Stored for "until unmuted": a date no clock reaches. */
const FOREVER = new Date('9999-12-31T23:59:59Z');

/** Mutes push for one side of one conversation; unread counts are not affected. */
@Injectable()
export class ConversationMuteService {
  constructor(
    private readonly access: ChatAccess,
    @InjectRepository(Conversation) private readonly conversations: Repository<Conversation>,
  ) {}

  async set(
    userId: string,
    conversationId: string,
    muted: boolean,
    mutedUntil: string | undefined,
  ): Promise<ConversationNotificationsResponse> {
    const { side } = await this.access.requireMembership(conversationId, userId);
    let until: Date | null = null;
    if (muted) {
      until = mutedUntil === undefined ? FOREVER : new Date(mutedUntil);
      if (until.getTime() <= Date.now()) throw ChatException.validation('muted_until must be in the future');
    } else if (mutedUntil !== undefined) {
      throw ChatException.validation('muted_until only goes with muted: true');
    }
    await this.conversations.update(
      { id: conversationId },
      side === 'client' ? { clientMutedUntil: until } : { ownerMutedUntil: until },
    );
    return {
      conversation_id: conversationId,
      is_muted: until !== null,
      muted_until: until && until.getTime() !== FOREVER.getTime() ? until.toISOString() : null,
    };
  }
}
