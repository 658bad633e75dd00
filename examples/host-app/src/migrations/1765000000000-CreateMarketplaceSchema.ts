import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateMarketplaceSchema1765000000000 implements MigrationInterface {
  name = 'CreateMarketplaceSchema1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE SCHEMA IF NOT EXISTS marketplace`);
    await queryRunner.query(`
      CREATE TABLE marketplace.members (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        nickname text NOT NULL,
        avatar_url text,
        joined_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE marketplace.products (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        seller_id uuid NOT NULL REFERENCES marketplace.members (id),
        name text NOT NULL,
        price_cents integer NOT NULL CHECK (price_cents >= 0),
        currency char(3) NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP SCHEMA marketplace CASCADE`);
  }
}
