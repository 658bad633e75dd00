import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type PushNotificationStatus = 'pending' | 'sending' | 'sent' | 'skipped' | 'failed';

/**
 * The spec's push table, used as the transactional outbox: one pending row per
 * (recipient, conversation) collects a burst of messages until it is due.
 */
@Entity({ schema: 'chat', name: 'push_notifications' })
export class PushNotification {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid', name: 'user_id' })
  userId!: string;

  @Column({ type: 'uuid', name: 'conversation_id', nullable: true })
  conversationId!: string | null;

  @Column({ type: 'uuid', name: 'message_id', nullable: true })
  messageId!: string | null;

  @Column({ type: 'varchar', length: 255 })
  title!: string;

  @Column({ type: 'text' })
  body!: string;

  @Column({ type: 'jsonb', default: () => `'{}'::jsonb` })
  data!: Record<string, unknown>;

  @Column({ type: 'boolean', name: 'is_sent', default: false })
  isSent!: boolean;

  @Column({ type: 'timestamptz', name: 'sent_at', nullable: true })
  sentAt!: Date | null;

  @Column({ type: 'timestamptz', name: 'delivered_at', nullable: true })
  deliveredAt!: Date | null;

  @Column({ type: 'timestamptz', name: 'failed_at', nullable: true })
  failedAt!: Date | null;

  @Column({ type: 'text', name: 'error_message', nullable: true })
  errorMessage!: string | null;

  @Column({ type: 'timestamptz', name: 'created_at', default: () => 'now()' })
  createdAt!: Date;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status!: PushNotificationStatus;

  @Column({ type: 'uuid', name: 'sender_user_id', nullable: true })
  senderUserId!: string | null;

  @Column({ type: 'integer', name: 'first_seq', nullable: true })
  firstSeq!: number | null;

  @Column({ type: 'integer', name: 'last_seq', nullable: true })
  lastSeq!: number | null;

  @Column({ type: 'integer', name: 'message_count', default: 1 })
  messageCount!: number;

  @Column({ type: 'timestamptz', name: 'batch_started_at', default: () => 'now()' })
  batchStartedAt!: Date;

  @Column({ type: 'timestamptz', name: 'next_attempt_at', default: () => 'now()' })
  nextAttemptAt!: Date;

  /** A worker's claim; past it, another worker may take the row (the first one died). */
  @Column({ type: 'timestamptz', name: 'locked_until', nullable: true })
  lockedUntil!: Date | null;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  /** Why a row was not sent: read, delivered, deleted, muted, no_device, merged, conversation_gone. */
  @Column({ type: 'varchar', length: 32, name: 'skip_reason', nullable: true })
  skipReason!: string | null;

  @Column({ type: 'integer', name: 'devices_sent', default: 0 })
  devicesSent!: number;

  @Column({ type: 'timestamptz', name: 'updated_at', default: () => 'now()' })
  updatedAt!: Date;
}
