import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { PreparedStatements } from '../database/prepared-statements';
import { WriteCoalescer } from '../database/write-coalescer';
import { ChatSettings } from './chat-settings';
import { ConversationRepository } from './conversation.repository';
import type { ConversationSide } from './conversation-side';
import { Message, type MessageStatus, type MessageType } from './entities/message.entity';
import type { MessageView } from './message.presenter';
import {
  memberMessagePageStatement,
  memberPageFromRows,
  type MessagePageQuery,
  messagePageStatement,
} from './message-page.statements';
import { INSERT_MESSAGES, MARK_DELIVERED } from './message-write.statements';

export interface NewMessage {
  conversationId: string;
  senderUserId: string;
  clientMessageId: string | null;
  messageType: MessageType;
  content: string;
  mediaUrl: string | null;
}

export interface ReadMarkResult {
  lastReadSeq: number;
  markedCount: number;
  /** The newest of the other party's messages now read, if any was marked. */
  newestMarkedId: string | null;
}

interface DeliveryMark {
  conversationId: string;
  recipientId: string;
  messageIds: readonly string[];
  deliveredAt: Date;
}

type Row = Record<string, unknown>;

/**
 * Two statements in flight keep PostgreSQL busy on both cores while the next
 * batch gathers; more would only shrink the batches.
 */
const GROUP_COMMIT = { maxBatch: 128, maxInFlight: 2 } as const;

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
  private readonly inserts: WriteCoalescer<NewMessage, Message | null>;
  private readonly deliveries: WriteCoalescer<DeliveryMark, string[]>;

  constructor(
    @InjectRepository(Message) private readonly repository: Repository<Message>,
    private readonly settings: ChatSettings,
    private readonly statements: PreparedStatements,
  ) {
    this.inserts = new WriteCoalescer({
      ...GROUP_COMMIT,
      // The statement gives each conversation one new seq.
      key: (input) => input.conversationId,
      writeBatch: (inputs) => this.insertMany(inputs),
    });
    this.deliveries = new WriteCoalescer({
      ...GROUP_COMMIT,
      // One recipient's tabs mark the same messages: the second must find them delivered.
      key: (mark) => `${mark.conversationId}:${mark.recipientId}`,
      writeBatch: (marks) => this.markDeliveredMany(marks),
    });
  }

  findById(id: string): Promise<Message | null> {
    return this.repository.findOneBy({ id });
  }

  findBySenderAndClientMessageId(senderUserId: string, clientMessageId: string): Promise<Message | null> {
    return this.repository.findOneBy({ senderUserId, clientMessageId });
  }

  /**
   * Stores a message with the next seq of its conversation; null when nothing
   * was stored because the sender already used this `client_message_id` (or
   * the conversation is gone). Concurrent calls are group-committed: see
   * `INSERT_MESSAGES`.
   * Throws the driver's unique violation when a concurrent send with the same
   * (sender, client_message_id) committed first.
   */
  insertNext(input: NewMessage): Promise<Message | null> {
    return this.inserts.write(input);
  }

  private async insertMany(inputs: readonly NewMessage[]): Promise<Array<Message | null>> {
    const { delayMs, batchMaxMs } = this.settings.push;
    const rows = await this.statements.query(INSERT_MESSAGES, [
      inputs.map((input) => input.conversationId),
      inputs.map((input) => input.senderUserId),
      inputs.map((input) => input.clientMessageId),
      inputs.map((input) => input.messageType),
      inputs.map((input) => input.content),
      inputs.map((input) => input.mediaUrl),
      delayMs,
      batchMaxMs,
    ]);
    // One message per conversation per batch (the coalescer's key), so the conversation finds it.
    const byConversation = new Map(rows.map((row) => [row.conversation_id as string, messageFromRow(row)]));
    return inputs.map((input) => byConversation.get(input.conversationId) ?? null);
  }

  /**
   * A page of messages as the API shows them. Raw SQL rather than the query
   * builder: this is the history (and replay) hot path, and building the query
   * plus hydrating entities cost more CPU than the rest of the request. Each
   * combination of bounds is its own prepared statement.
   */
  async page(query: MessagePageQuery): Promise<MessageView[]> {
    const { name, text, params } = messagePageStatement(query);
    const rows = await this.statements.query({ name, text }, params);
    return rows as unknown as MessageView[];
  }

  /**
   * The same page, read only if `memberId` is a party of the conversation
   * (null otherwise, also when it does not exist): the history request's
   * membership check and page in one round trip instead of two.
   */
  async pageForMember(memberId: string, query: MessagePageQuery): Promise<MessageView[] | null> {
    const { name, text, params } = memberMessagePageStatement(memberId, query);
    return memberPageFromRows(await this.statements.query({ name, text }, params));
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

  /**
   * Marks the given messages delivered if the recipient had not got them yet;
   * returns those changed. Concurrent calls share one statement.
   */
  async markDelivered(
    conversationId: string,
    recipientId: string,
    messageIds: readonly string[],
    deliveredAt: Date,
  ): Promise<string[]> {
    if (messageIds.length === 0) return [];
    return this.deliveries.write({ conversationId, recipientId, messageIds, deliveredAt });
  }

  private async markDeliveredMany(marks: readonly DeliveryMark[]): Promise<string[][]> {
    const flat = marks.flatMap((mark, index) => mark.messageIds.map((id) => ({ id, index })));
    const rows = await this.statements.query(MARK_DELIVERED, [
      flat.map((entry) => entry.id),
      flat.map((entry) => marks[entry.index].conversationId),
      flat.map((entry) => marks[entry.index].recipientId),
      flat.map((entry) => marks[entry.index].deliveredAt),
    ]);
    const changed = new Set(rows.map((row) => row.id as string));
    return marks.map((mark) => mark.messageIds.filter((id) => changed.has(id)));
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
