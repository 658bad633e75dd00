import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Push notifications: the devices users register, a mute per conversation side,
 * and the spec's `chat.push_notifications` turned into a transactional outbox.
 * One pending row per (recipient, conversation) collects a burst of messages;
 * a worker claims due rows (FOR UPDATE SKIP LOCKED, with a lease so a crashed
 * worker's rows come back), sends, and records the outcome. Nothing is deleted:
 * skipped rows keep their reason.
 */
export class CreatePushOutbox1767000000000 implements MigrationInterface {
  name = 'CreatePushOutbox1767000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE chat.push_devices (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL,
        platform varchar(16) NOT NULL CHECK (platform IN ('webpush', 'fcm', 'apns')),
        token text NOT NULL,
        p256dh text,
        auth text,
        app_id varchar(255),
        locale varchar(35),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_push_devices_token UNIQUE (platform, token)
      )`);
    await queryRunner.query(`CREATE INDEX ix_push_devices_user ON chat.push_devices (user_id)`);

    // Muted until then; 9999-12-31 mutes until unmuted.
    await queryRunner.query(`
      ALTER TABLE chat.conversations
        ADD COLUMN client_muted_until timestamptz,
        ADD COLUMN owner_muted_until timestamptz`);

    await queryRunner.query(`
      ALTER TABLE chat.push_notifications
        ADD COLUMN status varchar(16) NOT NULL DEFAULT 'pending'
          CHECK (status IN ('pending', 'sending', 'sent', 'skipped', 'failed')),
        ADD COLUMN sender_user_id uuid,
        ADD COLUMN first_seq integer,
        ADD COLUMN last_seq integer,
        ADD COLUMN message_count integer NOT NULL DEFAULT 1,
        ADD COLUMN batch_started_at timestamptz NOT NULL DEFAULT now(),
        ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now(),
        ADD COLUMN locked_until timestamptz,
        ADD COLUMN attempts integer NOT NULL DEFAULT 0,
        ADD COLUMN skip_reason varchar(32),
        ADD COLUMN devices_sent integer NOT NULL DEFAULT 0,
        ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now()`);
    await queryRunner.query(`DROP INDEX chat.ix_push_notifications_pending`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX ux_push_notifications_open_batch
         ON chat.push_notifications (user_id, conversation_id) WHERE status = 'pending'`,
    );
    await queryRunner.query(
      `CREATE INDEX ix_push_notifications_due
         ON chat.push_notifications (next_attempt_at) WHERE status IN ('pending', 'sending')`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX chat.ix_push_notifications_due`);
    await queryRunner.query(`DROP INDEX chat.ux_push_notifications_open_batch`);
    await queryRunner.query(`
      ALTER TABLE chat.push_notifications
        DROP COLUMN status, DROP COLUMN sender_user_id, DROP COLUMN first_seq, DROP COLUMN last_seq,
        DROP COLUMN message_count, DROP COLUMN batch_started_at, DROP COLUMN next_attempt_at,
        DROP COLUMN locked_until, DROP COLUMN attempts, DROP COLUMN skip_reason,
        DROP COLUMN devices_sent, DROP COLUMN updated_at`);
    await queryRunner.query(
      `CREATE INDEX ix_push_notifications_pending ON chat.push_notifications (created_at) WHERE NOT is_sent AND failed_at IS NULL`,
    );
    await queryRunner.query(`
      ALTER TABLE chat.conversations DROP COLUMN client_muted_until, DROP COLUMN owner_muted_until`);
    await queryRunner.query(`DROP TABLE chat.push_devices`);
  }
}
