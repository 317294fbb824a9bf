import { MigrationInterface, QueryRunner } from 'typeorm';

/** Every redemption of a cross-domain bridge token: who, from where, to where, when. */
export class BridgeRedemptions1763800000006 implements MigrationInterface {
  name = 'BridgeRedemptions1763800000006';

  public async up(q: QueryRunner): Promise<void> {
    const pg = q.connection.options.type === 'postgres';
    await q.query(`CREATE TABLE "bridge_redemptions" (
      "id" ${pg ? 'serial PRIMARY KEY' : 'integer PRIMARY KEY AUTOINCREMENT NOT NULL'},
      "accountId" varchar(63) NOT NULL,
      "visitorId" varchar(64) NOT NULL,
      "fromOrigin" varchar(300) NOT NULL,
      "toOrigin" varchar(300) NOT NULL,
      "at" ${pg ? 'bigint' : 'integer'} NOT NULL)`);
    await q.query(
      `CREATE INDEX "IDX_bridge_redemptions_visitor" ON "bridge_redemptions" ("accountId", "visitorId")`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "bridge_redemptions"`);
  }
}
