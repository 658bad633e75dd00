import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { PushPlatform } from './senders/push-sender.port';

/** A phone or browser that receives a user's pushes. A token belongs to whoever registered it last. */
@Entity({ schema: 'chat', name: 'push_devices' })
export class PushDevice {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid', name: 'user_id' })
  userId!: string;

  @Column({ type: 'varchar', length: 16 })
  platform!: PushPlatform;

  /** FCM or APNs token; the endpoint URL of a Web Push subscription. */
  @Column({ type: 'text' })
  token!: string;

  @Column({ type: 'text', nullable: true })
  p256dh!: string | null;

  @Column({ type: 'text', nullable: true })
  auth!: string | null;

  @Column({ type: 'varchar', length: 255, name: 'app_id', nullable: true })
  appId!: string | null;

  @Column({ type: 'varchar', length: 35, nullable: true })
  locale!: string | null;

  @Column({ type: 'timestamptz', name: 'created_at', default: () => 'now()' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', name: 'updated_at', default: () => 'now()' })
  updatedAt!: Date;
}
