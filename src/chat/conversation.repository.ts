import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { type PreparedStatement, PreparedStatements } from '../database/prepared-statements';
import type { ConversationSide } from './conversation-side';
import { Conversation } from './entities/conversation.entity';

/** One row of a user's conversation list, before the ports add names, listings and presence. */
export interface ConversationSummaryRow {
  conversation: Conversation;
  otherUserId: string;
  isArchived: boolean;
  isMuted: boolean;
  unreadCount: number;
  lastMessageContent: string | null;
  lastMessageSenderId: string | null;
}

export interface UnreadCountRow {
  conversationId: string;
  unreadCount: number;
}

type Row = Record<string, unknown>;

const READ_SEQ_COLUMN: Record<ConversationSide, string> = {
  client: 'client_last_read_seq',
  owner: 'owner_last_read_seq',
};
const ARCHIVED_COLUMN: Record<ConversationSide, string> = {
  client: 'archived_by_client',
  owner: 'archived_by_owner',
};

/** Unread messages of user $1 in conversation `c`: the other party's, past the user's read position. */
const UNREAD_COUNT_SQL = `(
  SELECT count(*)::int FROM chat.messages m
  WHERE m.conversation_id = c.id
    AND m.sender_user_id <> $1
    AND NOT m.is_deleted
    AND m.seq > CASE WHEN c.client_user_id = $1 THEN c.client_last_read_seq ELSE c.owner_last_read_seq END
)`;

/** Every REST call and handshake looks its conversation up: planned once per connection. */
const CONVERSATION_BY_ID: PreparedStatement = {
  name: 'parley_conversation_by_id_v1',
  text: `SELECT id, listing_id, client_user_id, owner_user_id, created_at, updated_at, last_message_at, is_active,
                archived_by_client, archived_by_owner, last_seq, client_last_read_seq, owner_last_read_seq,
                client_muted_until, owner_muted_until
         FROM chat.conversations WHERE id = $1`,
};

function conversationFromRow(row: Row): Conversation {
  const conversation = new Conversation();
  conversation.id = row.id as string;
  conversation.listingId = row.listing_id as string;
  conversation.clientUserId = row.client_user_id as string;
  conversation.ownerUserId = row.owner_user_id as string;
  conversation.createdAt = row.created_at as Date;
  conversation.updatedAt = row.updated_at as Date;
  conversation.lastMessageAt = (row.last_message_at as Date | null) ?? null;
  conversation.isActive = row.is_active as boolean;
  conversation.archivedByClient = row.archived_by_client as boolean;
  conversation.archivedByOwner = row.archived_by_owner as boolean;
  conversation.lastSeq = row.last_seq as number;
  conversation.clientLastReadSeq = row.client_last_read_seq as number;
  conversation.ownerLastReadSeq = row.owner_last_read_seq as number;
  conversation.clientMutedUntil = (row.client_muted_until as Date | null) ?? null;
  conversation.ownerMutedUntil = (row.owner_muted_until as Date | null) ?? null;
  return conversation;
}

@Injectable()
export class ConversationRepository {
  constructor(
    @InjectRepository(Conversation) private readonly repository: Repository<Conversation>,
    private readonly statements: PreparedStatements,
  ) {}

  /** Raw rather than findOneBy: TypeORM's query building and hydration cost more than the lookup. */
  async findById(id: string): Promise<Conversation | null> {
    const [row] = await this.statements.query(CONVERSATION_BY_ID, [id]);
    return row ? conversationFromRow(row) : null;
  }

  /** Creates the conversation unless one exists for (listing, client); race-free via the unique key. */
  async findOrCreate(
    listingId: string,
    clientUserId: string,
    ownerUserId: string,
  ): Promise<{ conversation: Conversation; created: boolean }> {
    const inserted: Row[] = await this.repository.query(
      `INSERT INTO chat.conversations (listing_id, client_user_id, owner_user_id)
       VALUES ($1, $2, $3)
       ON CONFLICT (listing_id, client_user_id) DO NOTHING
       RETURNING id`,
      [listingId, clientUserId, ownerUserId],
    );
    if (inserted.length > 0) {
      const conversation = await this.repository.findOneByOrFail({ id: inserted[0].id as string });
      return { conversation, created: true };
    }
    const conversation = await this.repository.findOneByOrFail({ listingId, clientUserId });
    return { conversation, created: false };
  }

  async listForUser(
    userId: string,
    options: { skip: number; limit: number; includeArchived: boolean },
  ): Promise<ConversationSummaryRow[]> {
    const rows: Row[] = await this.repository.query(
      `SELECT c.id,
              ${UNREAD_COUNT_SQL} AS unread_count,
              CASE WHEN c.client_user_id = $1 THEN c.owner_user_id ELSE c.client_user_id END AS other_user_id,
              CASE WHEN c.client_user_id = $1 THEN c.archived_by_client ELSE c.archived_by_owner END AS is_archived,
              COALESCE(CASE WHEN c.client_user_id = $1 THEN c.client_muted_until ELSE c.owner_muted_until END > now(),
                       false) AS is_muted,
              lm.content AS last_message_content,
              lm.sender_user_id AS last_message_sender_id
       FROM chat.conversations c
       LEFT JOIN LATERAL (
         SELECT m.content, m.sender_user_id FROM chat.messages m
         WHERE m.conversation_id = c.id AND NOT m.is_deleted
         ORDER BY m.seq DESC LIMIT 1
       ) lm ON true
       WHERE (c.client_user_id = $1 AND ($2 OR NOT c.archived_by_client))
          OR (c.owner_user_id = $1 AND ($2 OR NOT c.archived_by_owner))
       ORDER BY COALESCE(c.last_message_at, c.created_at) DESC, c.created_at DESC, c.id DESC
       OFFSET $3 LIMIT $4`,
      [userId, options.includeArchived, options.skip, options.limit],
    );
    if (rows.length === 0) return [];
    const conversations = await this.repository
      .createQueryBuilder('c')
      .whereInIds(rows.map((row) => row.id as string))
      .getMany();
    const byId = new Map(conversations.map((conversation) => [conversation.id, conversation]));
    return rows.map((row) => ({
      conversation: byId.get(row.id as string)!,
      otherUserId: row.other_user_id as string,
      isArchived: row.is_archived as boolean,
      isMuted: row.is_muted as boolean,
      unreadCount: row.unread_count as number,
      lastMessageContent: (row.last_message_content as string | null) ?? null,
      lastMessageSenderId: (row.last_message_sender_id as string | null) ?? null,
    }));
  }

  async unreadCounts(userId: string, conversationId?: string): Promise<UnreadCountRow[]> {
    const rows: Row[] = await this.repository.query(
      `SELECT c.id, ${UNREAD_COUNT_SQL} AS unread_count
       FROM chat.conversations c
       WHERE (c.client_user_id = $1 OR c.owner_user_id = $1)
         AND ($2::uuid IS NULL OR c.id = $2::uuid)`,
      [userId, conversationId ?? null],
    );
    return rows.map((row) => ({ conversationId: row.id as string, unreadCount: row.unread_count as number }));
  }

  async setArchived(id: string, side: ConversationSide, archived: boolean): Promise<Conversation> {
    await this.repository.query(
      `UPDATE chat.conversations SET ${ARCHIVED_COLUMN[side]} = $2, updated_at = now() WHERE id = $1`,
      [id, archived],
    );
    return this.repository.findOneByOrFail({ id });
  }

  async idsForUser(userId: string): Promise<string[]> {
    const rows: Row[] = await this.repository.query(
      `SELECT id FROM chat.conversations WHERE client_user_id = $1 OR owner_user_id = $1`,
      [userId],
    );
    return rows.map((row) => row.id as string);
  }

  /** The column holding a side's read position; a constant, never user input. */
  static readSeqColumn(side: ConversationSide): string {
    return READ_SEQ_COLUMN[side];
  }
}
