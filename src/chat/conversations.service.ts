import { Injectable } from '@nestjs/common';
import { ChatAccess } from './chat-access';
import { toConversationResponse } from './conversation.presenter';
import { ConversationRepository } from './conversation.repository';
import { otherPartyOf } from './conversation-side';
import type {
  ConversationDetailResponse,
  ConversationListItemResponse,
  ConversationResponse,
} from './dto/conversation.response';
import { ChatException } from './errors/chat.exception';
import { ListingDirectory } from './ports/listing-directory.port';
import { UserDirectory } from './ports/user-directory.port';
import { PresenceService } from '../presence/presence.service';

export interface ConversationListQuery {
  skip: number;
  limit: number;
  includeArchived: boolean;
}

export interface UnreadCounts {
  unread_count: number;
  conversation_counts: Record<string, number>;
}

function priceAsString(price: string | number | null): string | null {
  return price === null ? null : String(price);
}

@Injectable()
export class ConversationsService {
  constructor(
    private readonly conversations: ConversationRepository,
    private readonly access: ChatAccess,
    private readonly listings: ListingDirectory,
    private readonly users: UserDirectory,
    private readonly presence: PresenceService,
  ) {}

  /** The caller is the client; the owner comes from the listing, never from the request. */
  async createOrGet(
    callerId: string,
    listingId: string,
  ): Promise<{ conversation: ConversationResponse; created: boolean }> {
    const listing = await this.listings.findListing(listingId);
    if (!listing) throw ChatException.notFound('Listing');
    if (listing.ownerUserId === callerId) {
      throw ChatException.validation('You cannot start a conversation about your own listing');
    }
    const { conversation, created } = await this.conversations.findOrCreate(
      listingId,
      callerId,
      listing.ownerUserId,
    );
    return { conversation: toConversationResponse(conversation), created };
  }

  /** One page of the caller's conversations: four queries whatever the page size. */
  async list(callerId: string, query: ConversationListQuery): Promise<ConversationListItemResponse[]> {
    const rows = await this.conversations.listForUser(callerId, query);
    if (rows.length === 0) return [];
    const otherIds = [...new Set(rows.map((row) => row.otherUserId))];
    const listingIds = [...new Set(rows.map((row) => row.conversation.listingId))];
    const [users, listings, online] = await Promise.all([
      this.users.findUsers(otherIds),
      this.listings.findListings(listingIds),
      this.presence.onlineUserIds(otherIds),
    ]);
    return rows.map((row) => {
      const user = users.get(row.otherUserId);
      const listing = listings.get(row.conversation.listingId);
      return {
        ...toConversationResponse(row.conversation),
        other_user_id: row.otherUserId,
        other_user_name: user?.displayName ?? null,
        other_user_picture: user?.pictureUrl ?? null,
        other_user_online: online.has(row.otherUserId),
        listing_title: listing?.title ?? null,
        listing_price: listing ? priceAsString(listing.price) : null,
        listing_currency: listing?.currency ?? null,
        last_message_content: row.lastMessageContent,
        last_message_sender_id: row.lastMessageSenderId,
        unread_count: row.unreadCount,
        is_archived: row.isArchived,
        is_muted: row.isMuted,
      };
    });
  }

  async getDetail(callerId: string, conversationId: string): Promise<ConversationDetailResponse> {
    const { conversation, side } = await this.access.requireMembership(conversationId, callerId);
    const otherUserId = otherPartyOf(conversation, side);
    const users = await this.users.findUsers([otherUserId]);
    const user = users.get(otherUserId);
    return {
      ...toConversationResponse(conversation),
      other_user_id: otherUserId,
      other_user_name: user?.displayName ?? null,
      other_user_picture: user?.pictureUrl ?? null,
    };
  }

  async setArchived(
    callerId: string,
    conversationId: string,
    archived: boolean,
  ): Promise<ConversationResponse> {
    const { side } = await this.access.requireMembership(conversationId, callerId);
    const conversation = await this.conversations.setArchived(conversationId, side, archived);
    return toConversationResponse(conversation);
  }

  async unreadCounts(callerId: string, conversationId?: string): Promise<UnreadCounts> {
    if (conversationId) await this.access.requireMembership(conversationId, callerId);
    const rows = await this.conversations.unreadCounts(callerId, conversationId);
    const counts: Record<string, number> = {};
    let total = 0;
    for (const row of rows) {
      total += row.unreadCount;
      if (row.unreadCount > 0 || row.conversationId === conversationId) {
        counts[row.conversationId] = row.unreadCount;
      }
    }
    return { unread_count: total, conversation_counts: counts };
  }
}
