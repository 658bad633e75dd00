import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ schema: 'chat', name: 'user_presence' })
export class UserPresence {
  @PrimaryColumn({ type: 'uuid', name: 'user_id' })
  userId!: string;

  @Column({ type: 'boolean', name: 'is_online', default: false })
  isOnline!: boolean;

  @Column({ type: 'timestamptz', name: 'last_seen_at', nullable: true })
  lastSeenAt!: Date | null;

  @Column({ type: 'timestamptz', name: 'updated_at', default: () => 'now()' })
  updatedAt!: Date;

  /** The version of the transition this row records; older transitions never overwrite it. */
  @Column({ type: 'bigint', name: 'presence_version', default: 0 })
  presenceVersion!: string;
}
