import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The cookie keeper (SPEC §14): the latest value of each analytics SDK's id cookie a visitor's
 * browser sent, kept under the visitor's durable id. The primary key (account first) serves
 * the lookups by visitor and by account.
 */
export class KeptCookies1763800000011 implements MigrationInterface {
  name = 'KeptCookies1763800000011';

  public async up(q: QueryRunner): Promise<void> {
    const ms = q.connection.options.type === 'postgres' ? 'bigint' : 'integer';
    await q.query(`CREATE TABLE "kept_cookies" (
      "accountId" varchar(63) NOT NULL,
      "visitorId" varchar(64) NOT NULL,
      "name" varchar(256) NOT NULL,
      "value" text NOT NULL,
      "updatedAt" ${ms} NOT NULL,
      PRIMARY KEY ("accountId", "visitorId", "name"))`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "kept_cookies"`);
  }
}
