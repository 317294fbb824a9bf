import { MigrationInterface, QueryRunner } from 'typeorm';

export class VisitorRegistry1763800000001 implements MigrationInterface {
  name = 'VisitorRegistry1763800000001';

  public async up(q: QueryRunner): Promise<void> {
    // Epoch milliseconds: 64-bit on PostgreSQL (SQLite's integer already is).
    const ms = q.connection.options.type === 'postgres' ? 'bigint' : 'integer';
    await q.query(`CREATE TABLE "visitors" (
      "accountId" varchar(63) NOT NULL,
      "visitorId" varchar(64) NOT NULL,
      "deviceId" varchar(64),
      "consent" varchar(8) NOT NULL,
      "firstSeen" ${ms} NOT NULL,
      "lastSeen" ${ms} NOT NULL,
      PRIMARY KEY ("accountId", "visitorId"))`);
    await q.query(`CREATE INDEX "IDX_visitors_accountId" ON "visitors" ("accountId")`);
    await q.query(`CREATE TABLE "erased_ids" (
      "accountId" varchar(63) NOT NULL,
      "id" varchar(64) NOT NULL,
      "erasedAt" ${ms} NOT NULL,
      PRIMARY KEY ("accountId", "id"))`);
    await q.query(`CREATE INDEX "IDX_erased_ids_accountId" ON "erased_ids" ("accountId")`);
    await q.query(`CREATE INDEX "IDX_erased_ids_erasedAt" ON "erased_ids" ("erasedAt")`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "erased_ids"`);
    await q.query(`DROP TABLE "visitors"`);
  }
}
