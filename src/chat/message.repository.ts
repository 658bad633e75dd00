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
import { INSERT_MESSAGES, MARK_DELIVERED, WRITE_MESSAGES } from './message-write.statements';

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

/** What one batch carries: sends and delivery marks, in any mix (see message-write.statements). */
type MessageWrite = { kind: 'send'; message: NewMessage } | { kind: 'delivery'; mark: DeliveryMark };
/** A send's stored message (null: nothing stored), or the ids a delivery mark changed. */
type MessageWriteResult = Message | null | string[];

function storedMessage(result: MessageWriteResult): Message | null {
  if (Array.isArray(result)) throw new Error('A send was answered as a delivery mark');
  return result;
}

function changedIds(result: MessageWriteResult): string[] {
  if (!Array.isArray(result)) throw new Error('A delivery mark was answered as a send');
  return result;
}

type Row = Record<string, unknown>;

/**
 * Two statements in flight keep PostgreSQL busy on both cores while the next
 * batch gathers; more would only shrink the batches. Sends and delivery marks
 * share them: a mark rides with the next sends instead of paying a statement
 * and a commit of its own.
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
  private readonly writes: WriteCoalescer<MessageWrite, MessageWriteResult>;

  constructor(
    @InjectRepository(Message) private readonly repository: Repository<Message>,
    private readonly settings: ChatSettings,
    private readonly statements: PreparedStatements,
  ) {
    this.writes = new WriteCoalescer({
      ...GROUP_COMMIT,
      // The statement gives each conversation one new seq; one recipient's tabs mark
      // the same messages, and the second must find them delivered.
      key: (write) =>
        write.kind === 'send'
          ? `send:${write.message.conversationId}`
          : `delivery:${write.mark.conversationId}:${write.mark.recipientId}`,
      writeBatch: (writes) => this.writeMany(writes),
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
   * message-write.statements.ts.
   * Throws the driver's unique violation when a concurrent send with the same
   * (sender, client_message_id) committed first.
   */
  async insertNext(input: NewMessage): Promise<Message | null> {
    return storedMessage(await this.writes.write({ kind: 'send', message: input }));
  }

  private async writeMany(writes: readonly MessageWrite[]): Promise<MessageWriteResult[]> {
    const sends: NewMessage[] = [];
    const marks: DeliveryMark[] = [];
    for (const write of writes) {
      if (write.kind === 'send') sends.push(write.message);
      else marks.push(write.mark);
    }
    const markedIds = marks.flatMap((mark) => mark.messageIds.map((id) => ({ id, mark })));
    const sendParams = (): unknown[] => [
      sends.map((send) => send.conversationId),
      sends.map((send) => send.senderUserId),
      sends.map((send) => send.clientMessageId),
      sends.map((send) => send.messageType),
      sends.map((send) => send.content),
      sends.map((send) => send.mediaUrl),
      this.settings.push.delayMs,
      this.settings.push.batchMaxMs,
    ];
    const markParams = (): unknown[] => [
      markedIds.map((entry) => entry.id),
      markedIds.map((entry) => entry.mark.conversationId),
      markedIds.map((entry) => entry.mark.recipientId),
      markedIds.map((entry) => entry.mark.deliveredAt),
    ];
    const rows =
      markedIds.length === 0
        ? await this.statements.query(INSERT_MESSAGES, sendParams())
        : sends.length === 0
          ? await this.statements.query(MARK_DELIVERED, markParams())
          : await this.statements.query(WRITE_MESSAGES, [...sendParams(), ...markParams()]);
    const stored = new Map<string, Message>();
    const delivered = new Set<string>();
    for (const row of rows) {
      // One send per conversation per batch (the coalescer's key), so the conversation finds it.
      if (row.id !== null) stored.set(row.conversation_id as string, messageFromRow(row));
      else delivered.add(`${row.delivered_to as string}:${row.delivered_id as string}`);
    }
    // By recipient too: a mark by a message's own sender, in the same batch, changed nothing.
    return writes.map((write) =>
      write.kind === 'send'
        ? (stored.get(write.message.conversationId) ?? null)
        : write.mark.messageIds.filter((id) => delivered.has(`${write.mark.recipientId}:${id}`)),
    );
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
   * returns those changed. Concurrent marks and sends share one statement.
   */
  async markDelivered(
    conversationId: string,
    recipientId: string,
    messageIds: readonly string[],
    deliveredAt: Date,
  ): Promise<string[]> {
    if (messageIds.length === 0) return [];
    const mark: DeliveryMark = { conversationId, recipientId, messageIds, deliveredAt };
    return changedIds(await this.writes.write({ kind: 'delivery', mark }));
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
