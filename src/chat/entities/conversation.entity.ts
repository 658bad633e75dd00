import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ schema: 'chat', name: 'conversations' })
export class Conversation {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid', name: 'listing_id' })
  listingId!: string;

  @Column({ type: 'uuid', name: 'client_user_id' })
  clientUserId!: string;

  @Column({ type: 'uuid', name: 'owner_user_id' })
  ownerUserId!: string;

  @Column({ type: 'timestamptz', name: 'created_at', default: () => 'now()' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', name: 'updated_at', default: () => 'now()' })
  updatedAt!: Date;

  @Column({ type: 'timestamptz', name: 'last_message_at', nullable: true })
  lastMessageAt!: Date | null;

  @Column({ type: 'boolean', name: 'is_active', default: true })
  isActive!: boolean;

  @Column({ type: 'boolean', name: 'archived_by_client', default: false })
  archivedByClient!: boolean;

  @Column({ type: 'boolean', name: 'archived_by_owner', default: false })
  archivedByOwner!: boolean;

  /** Highest `messages.seq` handed out in this conversation. */
  @Column({ type: 'integer', name: 'last_seq', default: 0 })
  lastSeq!: number;

  @Column({ type: 'integer', name: 'client_last_read_seq', default: 0 })
  clientLastReadSeq!: number;

  @Column({ type: 'integer', name: 'owner_last_read_seq', default: 0 })
  ownerLastReadSeq!: number;

  /** Push muted for the client's side until then (9999-12-31: until unmuted). */
  @Column({ type: 'timestamptz', name: 'client_muted_until', nullable: true })
  clientMutedUntil!: Date | null;

  @Column({ type: 'timestamptz', name: 'owner_muted_until', nullable: true })
  ownerMutedUntil!: Date | null;
}
