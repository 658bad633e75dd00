import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ schema: 'app', name: 'listings' })
export class Listing {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid', name: 'owner_user_id' })
  ownerUserId!: string;

  @Column({ type: 'varchar', length: 200 })
  title!: string;

  /** numeric comes back from pg as a string; kept as one to avoid float rounding. */
  @Column({ type: 'numeric', precision: 14, scale: 2, nullable: true })
  price!: string | null;

  @Column({ type: 'char', length: 3, default: 'PEN' })
  currency!: string;

  @Column({ type: 'timestamptz', name: 'created_at', default: () => 'now()' })
  createdAt!: Date;
}
