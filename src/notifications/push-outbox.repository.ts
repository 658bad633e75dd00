import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { QueryFailedError, Repository } from 'typeorm';
import { PushNotification } from '../chat/entities/push-notification.entity';
import type { PushNotificationContent } from './senders/push-sender.port';

/** A claimed outbox row: what the worker needs of it. */
export interface ClaimedPush {
  id: string;
  userId: string;
  conversationId: string;
  senderUserId: string;
  firstSeq: number;
  lastSeq: number;
  messageCount: number;
  batchStartedAt: Date;
  attempts: number;
}

/** What is true at send time about a claimed push. */
export interface PushContext {
  listingId: string;
  muted: boolean;
  /** Messages of the batch not yet delivered to (nor read by) the recipient. */
  pushable: number;
  /** Messages of the batch the sender deleted. */
  deleted: number;
  recipientReadSeq: number;
  lastMessage: { id: string; seq: number; content: string | null } | null;
}

export interface OutboxStats {
  pending: number;
  oldest_pending_age_seconds: number | null;
  failed_last_hour: number;
}

/** chat.push_notifications as an outbox: claim, inspect, and record outcomes. Nothing is deleted. */
@Injectable()
export class PushOutboxRepository {
  constructor(@InjectRepository(PushNotification) private readonly rows: Repository<PushNotification>) {}

  /**
   * Claims due rows for this worker: pending ones past their time, and sending
   * ones whose worker's lease ran out (it died mid-send). SKIP LOCKED keeps two
   * workers off the same row; the lease keeps them off it after the claim commits.
   */
  async claim(limit: number, leaseMs: number): Promise<ClaimedPush[]> {
    const rows: Array<Record<string, unknown>> = await this.rows.query(
      // The outer statement is a SELECT: TypeORM hands back a bare UPDATE's RETURNING as [rows, count].
      `WITH due AS (
         SELECT id FROM chat.push_notifications
         WHERE (status = 'pending' AND next_attempt_at <= now())
            OR (status = 'sending' AND locked_until < now())
         ORDER BY next_attempt_at
         LIMIT $1
         FOR UPDATE SKIP LOCKED
       ),
       claimed AS (
         UPDATE chat.push_notifications p
         SET status = 'sending', attempts = p.attempts + 1, updated_at = now(),
             locked_until = now() + make_interval(secs => $2::double precision / 1000)
         FROM due WHERE p.id = due.id
         RETURNING p.id, p.user_id, p.conversation_id, p.sender_user_id, p.first_seq, p.last_seq,
                   p.message_count, p.batch_started_at, p.attempts
       )
       SELECT * FROM claimed`,
      [limit, leaseMs],
    );
    return rows.map((row) => ({
      id: row.id as string,
      userId: row.user_id as string,
      conversationId: row.conversation_id as string,
      senderUserId: row.sender_user_id as string,
      firstSeq: row.first_seq as number,
      lastSeq: row.last_seq as number,
      messageCount: row.message_count as number,
      batchStartedAt: row.batch_started_at as Date,
      attempts: row.attempts as number,
    }));
  }

  async context(push: ClaimedPush): Promise<PushContext | null> {
    const rows: Array<Record<string, unknown>> = await this.rows.query(
      `WITH c AS (
         SELECT listing_id,
                CASE WHEN client_user_id = $2 THEN client_last_read_seq ELSE owner_last_read_seq END AS read_seq,
                COALESCE(CASE WHEN client_user_id = $2 THEN client_muted_until ELSE owner_muted_until END > now(),
                         false) AS muted
         FROM chat.conversations WHERE id = $1
       ),
       waiting AS (
         SELECT m.id, m.seq, m.content FROM chat.messages m, c
         WHERE m.conversation_id = $1 AND m.sender_user_id = $3 AND m.seq BETWEEN $4 AND $5
           AND m.delivered_at IS NULL AND NOT m.is_deleted AND m.seq > c.read_seq
       )
       SELECT c.listing_id, c.read_seq, c.muted,
              (SELECT count(*)::int FROM waiting) AS pushable,
              (SELECT count(*)::int FROM chat.messages m
               WHERE m.conversation_id = $1 AND m.sender_user_id = $3 AND m.seq BETWEEN $4 AND $5
                 AND m.is_deleted) AS deleted,
              last.id AS last_id, last.seq AS last_seq, last.content AS last_content
       FROM c LEFT JOIN LATERAL (SELECT * FROM waiting ORDER BY seq DESC LIMIT 1) last ON true`,
      [push.conversationId, push.userId, push.senderUserId, push.firstSeq, push.lastSeq],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      listingId: row.listing_id as string,
      muted: row.muted as boolean,
      pushable: row.pushable as number,
      deleted: row.deleted as number,
      recipientReadSeq: row.read_seq as number,
      lastMessage: row.last_id
        ? {
            id: row.last_id as string,
            seq: row.last_seq as number,
            content: (row.last_content as string | null) ?? null,
          }
        : null,
    };
  }

  async markSent(id: string, content: PushNotificationContent, devicesSent: number): Promise<void> {
    await this.rows.update(id, {
      status: 'sent',
      isSent: true,
      sentAt: () => 'now()',
      title: content.title.slice(0, 255),
      body: content.body,
      data: content.data,
      messageId: content.data.message_id ?? null,
      devicesSent,
      lockedUntil: null,
      errorMessage: null,
      updatedAt: () => 'now()',
    });
  }

  async markSkipped(id: string, reason: string): Promise<void> {
    await this.rows.update(id, {
      status: 'skipped',
      skipReason: reason,
      lockedUntil: null,
      updatedAt: () => 'now()',
    });
  }

  async markFailed(id: string, error: string): Promise<void> {
    await this.rows.update(id, {
      status: 'failed',
      failedAt: () => 'now()',
      errorMessage: error.slice(0, 2000),
      lockedUntil: null,
      updatedAt: () => 'now()',
    });
  }

  /**
   * Back to pending for another attempt. When messages meanwhile opened a new
   * pending batch for the same recipient and conversation, this one joins it
   * (one push for all of them) and is kept as skipped/merged.
   */
  async reschedule(push: ClaimedPush, nextAttemptAt: Date, error: string): Promise<void> {
    try {
      await this.rows.update(push.id, {
        status: 'pending',
        nextAttemptAt,
        lockedUntil: null,
        errorMessage: error.slice(0, 2000),
        updatedAt: () => 'now()',
      });
    } catch (failure) {
      if (!isUniqueViolation(failure)) throw failure;
      await this.rows.query(
        `WITH merged AS (
           UPDATE chat.push_notifications
           SET first_seq = LEAST(first_seq, $3), message_count = message_count + $4,
               batch_started_at = LEAST(batch_started_at, $5),
               next_attempt_at = GREATEST(next_attempt_at, $6), updated_at = now()
           WHERE user_id = $1 AND conversation_id = $2 AND status = 'pending'
           RETURNING 1
         )
         UPDATE chat.push_notifications
         SET status = 'skipped', skip_reason = 'merged', error_message = $8, locked_until = NULL, updated_at = now()
         WHERE id = $7`,
        [
          push.userId,
          push.conversationId,
          push.firstSeq,
          push.messageCount,
          push.batchStartedAt,
          nextAttemptAt,
          push.id,
          error.slice(0, 2000),
        ],
      );
    }
  }

  async stats(): Promise<OutboxStats> {
    const rows: Array<Record<string, unknown>> = await this.rows.query(
      `SELECT count(*) FILTER (WHERE status IN ('pending', 'sending'))::int AS pending,
              extract(epoch FROM now() - min(created_at) FILTER (WHERE status IN ('pending', 'sending')))
                AS oldest_pending_age_seconds,
              count(*) FILTER (WHERE status = 'failed' AND failed_at > now() - interval '1 hour')::int
                AS failed_last_hour
       FROM chat.push_notifications
       WHERE status IN ('pending', 'sending') OR (status = 'failed' AND failed_at > now() - interval '1 hour')`,
    );
    const row = rows[0];
    const age = row.oldest_pending_age_seconds;
    return {
      pending: row.pending as number,
      oldest_pending_age_seconds: age === null || age === undefined ? null : Math.round(Number(age)),
      failed_last_hour: row.failed_last_hour as number,
    };
  }
}

function isUniqueViolation(error: unknown): boolean {
  return (
    error instanceof QueryFailedError &&
    (error.driverError as { code?: string } | undefined)?.code === '23505'
  );
}
