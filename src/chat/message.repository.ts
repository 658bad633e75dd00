import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ChatSettings } from './chat-settings';
import { ConversationRepository } from './conversation.repository';
import type { ConversationSide } from './conversation-side';
import { Message, type MessageStatus, type MessageType } from './entities/message.entity';

export interface NewMessage {
  conversationId: string;
  senderUserId: string;
  clientMessageId: string | null;
  messageType: MessageType;
  content: string;
  mediaUrl: string | null;
}

/** Bounds of a keyset page; every bound is exclusive. */
export interface MessagePageQuery {
  conversationId: string;
  afterSeq?: number;
  beforeSeq?: number;
  afterTime?: Date;
  beforeTime?: Date;
  order: 'asc' | 'desc';
  limit: number;
}

export interface ReadMarkResult {
  lastReadSeq: number;
  markedCount: number;
  /** The newest of the other party's messages now read, if any was marked. */
  newestMarkedId: string | null;
}

type Row = Record<string, unknown>;

const UNIQUE_VIOLATION = '23505';
const CLIENT_MESSAGE_ID_INDEX = 'uq_messages_sender_client_message_id';

function messageFromRow(row: Row): Message {
  const message = new Message();
  message.id = row.id as string;
  message.conversationId = row.conversation_id as string;
  message.senderUserId = row.sender_user_id as string;
  message.seq = row.seq as number;
  message.clientMessageId = (row.client_message_id as string | null) ?? null;
  message.messageType = row.message_type as MessageType;
  message.content = row.content as string;
  message.mediaUrl = (row.media_url as string | null) ?? null;
  message.status = row.status as MessageStatus;
  message.readAt = (row.read_at as Date | null) ?? null;
  message.deliveredAt = (row.delivered_at as Date | null) ?? null;
  message.createdAt = row.created_at as Date;
  message.updatedAt = row.updated_at as Date;
  message.isDeleted = row.is_deleted as boolean;
  return message;
}

export function isDuplicateClientMessageId(error: unknown): boolean {
  const driverError = error as {
    code?: string;
    constraint?: string;
    driverError?: { code?: string; constraint?: string };
  };
  const code = driverError.driverError?.code ?? driverError.code;
  const constraint = driverError.driverError?.constraint ?? driverError.constraint;
  return code === UNIQUE_VIOLATION && constraint === CLIENT_MESSAGE_ID_INDEX;
}

@Injectable()
export class MessageRepository {
  constructor(
    @InjectRepository(Message) private readonly repository: Repository<Message>,
    private readonly settings: ChatSettings,
  ) {}

  findById(id: string): Promise<Message | null> {
    return this.repository.findOneBy({ id });
  }

  findBySenderAndClientMessageId(senderUserId: string, clientMessageId: string): Promise<Message | null> {
    return this.repository.findOneBy({ senderUserId, clientMessageId });
  }

  /**
   * Allocates the next seq and stores the message in ONE statement, so the seq is
   * gap-free (a failed insert rolls the counter back) and costs one round trip.
   * The row lock on the conversation orders concurrent sends. A message from one
   * party un-archives the conversation for the other. Timestamps are stored at
   * the millisecond precision the API shows, so a message's own `created_at`
   * works as an exact `before`/`after` cursor.
   * Throws the driver's unique violation when (sender, client_message_id) exists.
   */
  /**
   * Allocates the next seq and stores the message in one statement, and in the
   * same statement (so a crash cannot separate them) queues a push for the
   * recipient when they have a device and have not muted the conversation: a
   * new pending outbox row, or one more message in the pending one, due after
   * the delay but never later than the batch maximum after its first message.
   */
  async insertNext(input: NewMessage): Promise<Message> {
    const { delayMs, batchMaxMs } = this.settings.push;
    const rows: Row[] = await this.repository.query(
      `WITH c AS (
         UPDATE chat.conversations
         SET last_seq = last_seq + 1,
             last_message_at = date_trunc('milliseconds', clock_timestamp()),
             updated_at = date_trunc('milliseconds', clock_timestamp()),
             archived_by_client = CASE WHEN owner_user_id = $2 THEN false ELSE archived_by_client END,
             archived_by_owner = CASE WHEN client_user_id = $2 THEN false ELSE archived_by_owner END
         WHERE id = $1
         RETURNING last_seq, last_message_at,
           CASE WHEN client_user_id = $2 THEN owner_user_id ELSE client_user_id END AS recipient_id,
           CASE WHEN client_user_id = $2 THEN owner_muted_until ELSE client_muted_until END AS recipient_muted_until
       ),
       m AS (
         INSERT INTO chat.messages
           (conversation_id, sender_user_id, seq, client_message_id, message_type, content, media_url, created_at, updated_at)
         SELECT $1, $2, c.last_seq, $3, $4, $5, $6, c.last_message_at, c.last_message_at FROM c
         RETURNING *
       ),
       push AS (
         INSERT INTO chat.push_notifications AS p
           (user_id, conversation_id, message_id, sender_user_id, title, body, first_seq, last_seq,
            message_count, batch_started_at, next_attempt_at)
         SELECT c.recipient_id, $1, m.id, $2, '', '', m.seq, m.seq, 1, now(),
                now() + make_interval(secs => $7::double precision / 1000)
         FROM c, m
         WHERE (c.recipient_muted_until IS NULL OR c.recipient_muted_until <= now())
           AND EXISTS (SELECT 1 FROM chat.push_devices d WHERE d.user_id = c.recipient_id)
         ON CONFLICT (user_id, conversation_id) WHERE status = 'pending' DO UPDATE
           SET message_id = EXCLUDED.message_id,
               last_seq = GREATEST(p.last_seq, EXCLUDED.last_seq),
               message_count = p.message_count + 1,
               -- A batch waiting to retry keeps its time: a provider's Retry-After comes first.
               next_attempt_at = GREATEST(
                 CASE WHEN p.attempts > 0 THEN p.next_attempt_at END,
                 LEAST(
                   p.batch_started_at + make_interval(secs => $8::double precision / 1000),
                   now() + make_interval(secs => $7::double precision / 1000))),
               updated_at = now()
         RETURNING 1
       )
       SELECT m.* FROM m`,
      [
        input.conversationId,
        input.senderUserId,
        input.clientMessageId,
        input.messageType,
        input.content,
        input.mediaUrl,
        delayMs,
        batchMaxMs,
      ],
    );
    return messageFromRow(rows[0]);
  }

  page(query: MessagePageQuery): Promise<Message[]> {
    const builder = this.repository
      .createQueryBuilder('m')
      .where('m.conversation_id = :conversationId', { conversationId: query.conversationId });
    if (query.afterSeq !== undefined) builder.andWhere('m.seq > :afterSeq', { afterSeq: query.afterSeq });
    if (query.beforeSeq !== undefined) builder.andWhere('m.seq < :beforeSeq', { beforeSeq: query.beforeSeq });
    if (query.afterTime) builder.andWhere('m.created_at > :afterTime', { afterTime: query.afterTime });
    if (query.beforeTime) builder.andWhere('m.created_at < :beforeTime', { beforeTime: query.beforeTime });
    return builder
      .orderBy('m.seq', query.order === 'asc' ? 'ASC' : 'DESC')
      .limit(query.limit)
      .getMany();
  }

  /**
   * Moves `reader`'s read position to at least `uptoSeq` and marks the other
   * party's messages up to there read, atomically (one statement).
   */
  async markRead(
    conversationId: string,
    reader: { userId: string; side: ConversationSide },
    uptoSeq: number,
    readAt: Date,
  ): Promise<ReadMarkResult> {
    const column = ConversationRepository.readSeqColumn(reader.side);
    const rows: Row[] = await this.repository.query(
      `WITH position AS (
         UPDATE chat.conversations
         SET ${column} = GREATEST(${column}, LEAST($3::int, last_seq))
         WHERE id = $1
         RETURNING ${column} AS last_read_seq
       ), marked AS (
         UPDATE chat.messages
         SET status = 'read', read_at = $4, delivered_at = COALESCE(delivered_at, $4), updated_at = $4
         WHERE conversation_id = $1 AND sender_user_id <> $2 AND seq <= $3 AND status <> 'read'
         RETURNING id, seq
       )
       SELECT (SELECT last_read_seq FROM position) AS last_read_seq,
              (SELECT count(*)::int FROM marked) AS marked_count,
              (SELECT id FROM marked ORDER BY seq DESC LIMIT 1) AS newest_marked_id`,
      [conversationId, reader.userId, uptoSeq, readAt],
    );
    return {
      lastReadSeq: rows[0].last_read_seq as number,
      markedCount: rows[0].marked_count as number,
      newestMarkedId: (rows[0].newest_marked_id as string | null) ?? null,
    };
  }

  /** Marks the given messages delivered if the recipient had not got them yet; returns those changed. */
  async markDelivered(
    conversationId: string,
    recipientId: string,
    messageIds: readonly string[],
    deliveredAt: Date,
  ): Promise<string[]> {
    if (messageIds.length === 0) return [];
    const rows: Row[] = await this.repository.query(
      // Wrapped in a SELECT: TypeORM returns [rows, count] for a bare UPDATE.
      `WITH delivered AS (
         UPDATE chat.messages
         SET status = 'delivered', delivered_at = $4, updated_at = $4
         WHERE conversation_id = $1 AND sender_user_id <> $2 AND status = 'sent' AND id = ANY($3::uuid[])
         RETURNING id
       )
       SELECT id FROM delivered`,
      [conversationId, recipientId, messageIds, deliveredAt],
    );
    return rows.map((row) => row.id as string);
  }

  /**
   * Soft-deletes a message, erasing its content, and recomputes the
   * conversation's `last_message_at` from what remains, in one statement.
   */
  async softDelete(message: Message): Promise<Message> {
    const rows: Row[] = await this.repository.query(
      `WITH deleted AS (
         UPDATE chat.messages
         SET is_deleted = true, content = '', media_url = NULL, updated_at = clock_timestamp()
         WHERE id = $1
         RETURNING *
       ), recomputed AS (
         UPDATE chat.conversations c
         SET last_message_at = (
               SELECT max(m.created_at) FROM chat.messages m
               WHERE m.conversation_id = c.id AND NOT m.is_deleted AND m.id <> $1
             ),
             updated_at = clock_timestamp()
         WHERE c.id = $2
       )
       SELECT * FROM deleted`,
      [message.id, message.conversationId],
    );
    return messageFromRow(rows[0]);
  }
}
