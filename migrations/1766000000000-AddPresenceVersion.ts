import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Several instances record presence transitions of one user concurrently; each
 * transition carries a version (microseconds from Redis's clock, or this
 * process's), and a write with an older version than the stored one is ignored,
 * so the row always ends at the newest transition whatever order writes land in.
 */
export class AddPresenceVersion1766000000000 implements MigrationInterface {
  name = 'AddPresenceVersion1766000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE chat.user_presence ADD COLUMN presence_version bigint NOT NULL DEFAULT 0`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE chat.user_presence DROP COLUMN presence_version`);
  }
}
