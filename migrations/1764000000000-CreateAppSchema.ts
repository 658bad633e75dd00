import { MigrationInterface, QueryRunner } from 'typeorm';

/** Users and listings of the standalone app (the default implementations of ChatModule's ports). */
export class CreateAppSchema1764000000000 implements MigrationInterface {
  name = 'CreateAppSchema1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE SCHEMA IF NOT EXISTS app`);
    await queryRunner.query(`
      CREATE TABLE app.users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email varchar(320) NOT NULL,
        password_hash text NOT NULL,
        first_name varchar(100),
        last_name varchar(100),
        profile_picture_url text,
        is_active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX uq_users_email_lower ON app.users (lower(email))`);
    await queryRunner.query(`
      CREATE TABLE app.listings (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        owner_user_id uuid NOT NULL REFERENCES app.users (id) ON DELETE CASCADE,
        title varchar(200) NOT NULL CHECK (length(btrim(title)) > 0),
        price numeric(14, 2) CHECK (price IS NULL OR price >= 0),
        currency char(3) NOT NULL DEFAULT 'PEN',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX ix_listings_owner ON app.listings (owner_user_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE app.listings`);
    await queryRunner.query(`DROP TABLE app.users`);
    await queryRunner.query(`DROP SCHEMA app`);
  }
}
