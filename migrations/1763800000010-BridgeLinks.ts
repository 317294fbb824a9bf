import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Ids linked by a bridge redemption on a visitor who kept their own id (SPEC §10): one row on
 * each visitor's record. The second index finds the rows naming an erased or deleted id.
 */
export class BridgeLinks1763800000010 implements MigrationInterface {
  name = 'BridgeLinks1763800000010';

  public async up(q: QueryRunner): Promise<void> {
    const ms = q.connection.options.type === 'postgres' ? 'bigint' : 'integer';
    await q.query(`CREATE TABLE "bridge_links" (
      "accountId" varchar(63) NOT NULL,
      "visitorId" varchar(64) NOT NULL,
      "linkedAccountId" varchar(63) NOT NULL,
      "linkedVisitorId" varchar(64) NOT NULL,
      "fromOrigin" varchar(300) NOT NULL,
      "toOrigin" varchar(300) NOT NULL,
      "at" ${ms} NOT NULL,
      PRIMARY KEY ("accountId", "visitorId", "linkedAccountId", "linkedVisitorId"))`);
    await q.query(
      `CREATE INDEX "IDX_bridge_links_linked" ON "bridge_links" ("linkedAccountId", "linkedVisitorId")`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "bridge_links"`);
  }
}
