import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every message updates its conversation (last_seq, last_message_at,
 * updated_at). With last_message_at in the per-user indexes no such update
 * could be HOT: each one wrote a new entry into three indexes. The conversation
 * list orders by COALESCE(last_message_at, created_at), which those indexes
 * never served, so they now hold the user id alone, and pages keep room for
 * HOT updates (fillfactor 70).
 */
export class HotConversationUpdates1768000000000 implements MigrationInterface {
  name = 'HotConversationUpdates1768000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX chat.ix_conversations_client`);
    await queryRunner.query(`DROP INDEX chat.ix_conversations_owner`);
    await queryRunner.query(`CREATE INDEX ix_conversations_client ON chat.conversations (client_user_id)`);
    await queryRunner.query(`CREATE INDEX ix_conversations_owner ON chat.conversations (owner_user_id)`);
    await queryRunner.query(`ALTER TABLE chat.conversations SET (fillfactor = 70)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE chat.conversations RESET (fillfactor)`);
    await queryRunner.query(`DROP INDEX chat.ix_conversations_client`);
    await queryRunner.query(`DROP INDEX chat.ix_conversations_owner`);
    await queryRunner.query(
      `CREATE INDEX ix_conversations_client ON chat.conversations (client_user_id, last_message_at DESC NULLS LAST, created_at DESC)`,
    );
    await queryRunner.query(
      `CREATE INDEX ix_conversations_owner ON chat.conversations (owner_user_id, last_message_at DESC NULLS LAST, created_at DESC)`,
    );
  }
}
