import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, type Relation } from 'typeorm';
import { Conversation } from './conversation.entity';

export const MESSAGE_TYPES = ['text', 'image', 'document', 'system'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];
export const MESSAGE_STATUSES = ['sent', 'delivered', 'read'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

@Entity({ schema: 'chat', name: 'messages' })
@Index('uq_messages_conversation_seq', ['conversationId', 'seq'], { unique: true })
export class Message {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid', name: 'conversation_id' })
  conversationId!: string;

  @ManyToOne(() => Conversation, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'conversation_id' })
  conversation?: Relation<Conversation>;

  @Column({ type: 'uuid', name: 'sender_user_id' })
  senderUserId!: string;

  /** Gap-free position in the conversation: 1, 2, 3, ... */
  @Column({ type: 'integer' })
  seq!: number;

  @Column({ type: 'varchar', length: 64, name: 'client_message_id', nullable: true })
  clientMessageId!: string | null;

  @Column({ type: 'varchar', length: 20, name: 'message_type', default: 'text' })
  messageType!: MessageType;

  @Column({ type: 'text' })
  content!: string;

  @Column({ type: 'text', name: 'media_url', nullable: true })
  mediaUrl!: string | null;

  @Column({ type: 'varchar', length: 20, default: 'sent' })
  status!: MessageStatus;

  @Column({ type: 'timestamptz', name: 'read_at', nullable: true })
  readAt!: Date | null;

  @Column({ type: 'timestamptz', name: 'delivered_at', nullable: true })
  deliveredAt!: Date | null;

  @Column({ type: 'timestamptz', name: 'created_at', default: () => 'now()' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', name: 'updated_at', default: () => 'now()' })
  updatedAt!: Date;

  @Column({ type: 'boolean', name: 'is_deleted', default: false })
  isDeleted!: boolean;
}
