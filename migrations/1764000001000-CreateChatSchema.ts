import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The `chat` schema of the spec, plus what it lacked: a gap-free `seq` per
 * conversation, idempotent `client_message_id`, and per-side read positions so
 * unread counts are computed rather than incremented.
 * No foreign keys to users or listings: those live in the host application.
 */
export class CreateChatSchema1764000001000 implements MigrationInterface {
  name = 'CreateChatSchema1764000001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE SCHEMA IF NOT EXISTS chat`);
    await queryRunner.query(`
      CREATE TABLE chat.conversations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        listing_id uuid NOT NULL,
        client_user_id uuid NOT NULL,
        owner_user_id uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        last_message_at timestamptz,
        is_active boolean NOT NULL DEFAULT true,
        archived_by_client boolean NOT NULL DEFAULT false,
        archived_by_owner boolean NOT NULL DEFAULT false,
        last_seq integer NOT NULL DEFAULT 0,
        client_last_read_seq integer NOT NULL DEFAULT 0,
        owner_last_read_seq integer NOT NULL DEFAULT 0,
        CONSTRAINT ck_conversations_distinct_parties CHECK (client_user_id <> owner_user_id),
        CONSTRAINT uq_conversations_listing_client UNIQUE (listing_id, client_user_id)
      )`);
    await queryRunner.query(
      `CREATE INDEX ix_conversations_client ON chat.conversations (client_user_id, last_message_at DESC NULLS LAST, created_at DESC)`,
    );
    await queryRunner.query(
      `CREATE INDEX ix_conversations_owner ON chat.conversations (owner_user_id, last_message_at DESC NULLS LAST, created_at DESC)`,
    );
    await queryRunner.query(`
      CREATE TABLE chat.messages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        conversation_id uuid NOT NULL REFERENCES chat.conversations (id) ON DELETE CASCADE,
        sender_user_id uuid NOT NULL,
        seq integer NOT NULL,
        client_message_id varchar(64),
        message_type varchar(20) NOT NULL DEFAULT 'text',
        content text NOT NULL,
        media_url text,
        status varchar(20) NOT NULL DEFAULT 'sent',
        read_at timestamptz,
        delivered_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        is_deleted boolean NOT NULL DEFAULT false,
        CONSTRAINT ck_messages_type CHECK (message_type IN ('text', 'image', 'document', 'system')),
        CONSTRAINT ck_messages_status CHECK (status IN ('sent', 'delivered', 'read')),
        CONSTRAINT ck_messages_content CHECK (
          is_deleted OR (length(btrim(content)) > 0 AND char_length(content) <= 5000)
        ),
        CONSTRAINT uq_messages_conversation_seq UNIQUE (conversation_id, seq)
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX uq_messages_sender_client_message_id ON chat.messages (sender_user_id, client_message_id) WHERE client_message_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX ix_messages_conversation_created ON chat.messages (conversation_id, created_at)`,
    );
    await queryRunner.query(`
      CREATE TABLE chat.user_presence (
        user_id uuid PRIMARY KEY,
        is_online boolean NOT NULL DEFAULT false,
        last_seen_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE chat.push_notifications (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL,
        conversation_id uuid REFERENCES chat.conversations (id) ON DELETE CASCADE,
        message_id uuid REFERENCES chat.messages (id) ON DELETE SET NULL,
        title varchar(255) NOT NULL,
        body text NOT NULL,
        data jsonb NOT NULL DEFAULT '{}'::jsonb,
        is_sent boolean NOT NULL DEFAULT false,
        sent_at timestamptz,
        delivered_at timestamptz,
        failed_at timestamptz,
        error_message text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX ix_push_notifications_pending ON chat.push_notifications (created_at) WHERE NOT is_sent AND failed_at IS NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE chat.push_notifications`);
    await queryRunner.query(`DROP TABLE chat.user_presence`);
    await queryRunner.query(`DROP TABLE chat.messages`);
    await queryRunner.query(`DROP TABLE chat.conversations`);
    await queryRunner.query(`DROP SCHEMA chat`);
  }
}
