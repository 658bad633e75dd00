import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** The spec's push outbox. Rows are written by the notifications feature. */
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
}
