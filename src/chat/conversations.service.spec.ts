import { randomUUID } from 'node:crypto';
import type { PresenceService } from '../presence/presence.service';
import { ChatAccess } from './chat-access';
import type {
  ConversationRepository,
  ConversationSummaryRow,
  UnreadCountRow,
} from './conversation.repository';
import { ConversationsService } from './conversations.service';
import { Conversation } from './entities/conversation.entity';
import { ChatErrorCode } from './errors/chat-error-code';
import { type ChatListing, ListingDirectory } from './ports/listing-directory.port';
import { type ChatUserProfile, UserDirectory } from './ports/user-directory.port';

const CLIENT = randomUUID();
const OWNER = randomUUID();

class FakeListings extends ListingDirectory {
  readonly listings = new Map<string, ChatListing>();

  findListing(listingId: string): Promise<ChatListing | null> {
    return Promise.resolve(this.listings.get(listingId) ?? null);
  }

  findListings(listingIds: readonly string[]): Promise<Map<string, ChatListing>> {
    return Promise.resolve(
      new Map(listingIds.filter((id) => this.listings.has(id)).map((id) => [id, this.listings.get(id)!])),
    );
  }
}

class FakeUsers extends UserDirectory {
  readonly users = new Map<string, ChatUserProfile>();

  findUsers(userIds: readonly string[]): Promise<Map<string, ChatUserProfile>> {
    return Promise.resolve(
      new Map(userIds.filter((id) => this.users.has(id)).map((id) => [id, this.users.get(id)!])),
    );
  }
}

class FakeConversationRepository {
  readonly conversations = new Map<string, Conversation>();
  summaries: ConversationSummaryRow[] = [];
  counts: UnreadCountRow[] = [];
  readonly created: Array<{ listingId: string; clientUserId: string; ownerUserId: string }> = [];

  findById(id: string): Promise<Conversation | null> {
    return Promise.resolve(this.conversations.get(id) ?? null);
  }

  findOrCreate(listingId: string, clientUserId: string, ownerUserId: string) {
    const existing = [...this.conversations.values()].find(
      (c) => c.listingId === listingId && c.clientUserId === clientUserId,
    );
    if (existing) return Promise.resolve({ conversation: existing, created: false });
    this.created.push({ listingId, clientUserId, ownerUserId });
    const conversation = newConversation({ listingId, clientUserId, ownerUserId });
    this.conversations.set(conversation.id, conversation);
    return Promise.resolve({ conversation, created: true });
  }

  listForUser(): Promise<ConversationSummaryRow[]> {
    return Promise.resolve(this.summaries);
  }

  unreadCounts(_userId: string, conversationId?: string): Promise<UnreadCountRow[]> {
    return Promise.resolve(
      this.counts.filter((row) => !conversationId || row.conversationId === conversationId),
    );
  }
}

function newConversation(fields: Partial<Conversation> = {}): Conversation {
  const now = new Date('2025-12-12T10:00:00.000Z');
  return Object.assign(new Conversation(), {
    id: randomUUID(),
    listingId: randomUUID(),
    clientUserId: CLIENT,
    ownerUserId: OWNER,
    createdAt: now,
    updatedAt: now,
    lastMessageAt: null,
    isActive: true,
    archivedByClient: false,
    archivedByOwner: false,
    lastSeq: 0,
    clientLastReadSeq: 0,
    ownerLastReadSeq: 0,
    ...fields,
  });
}

describe(ConversationsService.name, () => {
  let sut: ConversationsService;
  let conversations: FakeConversationRepository;
  let listings: FakeListings;
  let users: FakeUsers;
  let online: Set<string>;

  beforeEach(() => {
    conversations = new FakeConversationRepository();
    listings = new FakeListings();
    users = new FakeUsers();
    online = new Set();
    const presence = { onlineUserIds: () => Promise.resolve(online) } as unknown as PresenceService;
    sut = new ConversationsService(
      conversations as unknown as ConversationRepository,
      new ChatAccess(conversations as unknown as ConversationRepository),
      listings,
      users,
      presence,
    );
  });

  function listing(ownerUserId = OWNER): ChatListing {
    const value: ChatListing = {
      id: randomUUID(),
      ownerUserId,
      title: 'Flat',
      price: '1500.50',
      currency: 'PEN',
    };
    listings.listings.set(value.id, value);
    return value;
  }

  describe('createOrGet', () => {
    it('should make the caller the client and take the owner from the listing', async () => {
      const flat = listing();

      const result = await sut.createOrGet(CLIENT, flat.id);

      expect(result.created).toBe(true);
      expect(result.conversation).toMatchObject({
        listing_id: flat.id,
        client_user_id: CLIENT,
        owner_user_id: OWNER,
      });
      expect(conversations.created).toEqual([
        { listingId: flat.id, clientUserId: CLIENT, ownerUserId: OWNER },
      ]);
    });

    it('should return the existing conversation with created=false', async () => {
      const flat = listing();
      const first = await sut.createOrGet(CLIENT, flat.id);

      const second = await sut.createOrGet(CLIENT, flat.id);

      expect(second).toEqual({ conversation: first.conversation, created: false });
    });

    it('should refuse a conversation about the caller’s own listing', async () => {
      const flat = listing(OWNER);

      await expect(sut.createOrGet(OWNER, flat.id)).rejects.toMatchObject({
        code: ChatErrorCode.ValidationFailed,
      });
      expect(conversations.created).toHaveLength(0);
    });

    it('should answer not found for an unknown listing', async () => {
      await expect(sut.createOrGet(CLIENT, randomUUID())).rejects.toMatchObject({
        code: ChatErrorCode.NotFound,
      });
      expect(conversations.created).toHaveLength(0);
    });
  });

  describe('list', () => {
    it('should decorate each row with the other user, the listing and presence', async () => {
      const flat = listing();
      const conversation = newConversation({ listingId: flat.id });
      users.users.set(OWNER, {
        id: OWNER,
        displayName: 'Omar User',
        pictureUrl: 'https://cdn.example.test/o.jpg',
      });
      online.add(OWNER);
      conversations.summaries = [
        {
          conversation,
          otherUserId: OWNER,
          isArchived: false,
          isMuted: true,
          unreadCount: 2,
          lastMessageContent: 'hola',
          lastMessageSenderId: OWNER,
        },
      ];

      const [item] = await sut.list(CLIENT, { skip: 0, limit: 20, includeArchived: false });

      expect(item).toMatchObject({
        id: conversation.id,
        other_user_id: OWNER,
        other_user_name: 'Omar User',
        other_user_picture: 'https://cdn.example.test/o.jpg',
        other_user_online: true,
        listing_title: 'Flat',
        listing_price: '1500.50',
        listing_currency: 'PEN',
        last_message_content: 'hola',
        last_message_sender_id: OWNER,
        unread_count: 2,
        is_archived: false,
        is_muted: true,
      });
    });

    it('should leave unknown users and listings as nulls', async () => {
      conversations.summaries = [
        {
          conversation: newConversation(),
          otherUserId: OWNER,
          isArchived: true,
          isMuted: false,
          unreadCount: 0,
          lastMessageContent: null,
          lastMessageSenderId: null,
        },
      ];

      const [item] = await sut.list(CLIENT, { skip: 0, limit: 20, includeArchived: true });

      expect(item).toMatchObject({
        other_user_name: null,
        other_user_picture: null,
        other_user_online: false,
        listing_title: null,
        listing_price: null,
        listing_currency: null,
        is_archived: true,
        is_muted: false,
      });
    });
  });

  describe('unreadCounts', () => {
    it('should total the conversations and leave out those with nothing unread', async () => {
      const [a, b] = [randomUUID(), randomUUID()];
      conversations.counts = [
        { conversationId: a, unreadCount: 3 },
        { conversationId: b, unreadCount: 0 },
      ];

      await expect(sut.unreadCounts(CLIENT)).resolves.toEqual({
        unread_count: 3,
        conversation_counts: { [a]: 3 },
      });
    });

    it('should report the asked conversation even at zero, and hide others’ conversations', async () => {
      const mine = newConversation();
      const theirs = newConversation({ clientUserId: randomUUID() });
      conversations.conversations.set(mine.id, mine);
      conversations.conversations.set(theirs.id, theirs);
      conversations.counts = [{ conversationId: mine.id, unreadCount: 0 }];

      await expect(sut.unreadCounts(CLIENT, mine.id)).resolves.toEqual({
        unread_count: 0,
        conversation_counts: { [mine.id]: 0 },
      });
      await expect(sut.unreadCounts(CLIENT, theirs.id)).rejects.toMatchObject({
        code: ChatErrorCode.NotFound,
      });
    });
  });
});
