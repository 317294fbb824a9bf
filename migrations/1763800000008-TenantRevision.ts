import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One counter, bumped in the same transaction as every change to accounts, API keys or
 * property overrides: each node's periodic re-read of the tenants reads this one row and
 * re-reads the tables only when it moved (with 100,000 accounts, a full re-read every few
 * seconds would cost a core).
 */
export class TenantRevision1763800000008 implements MigrationInterface {
  name = 'TenantRevision1763800000008';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "tenant_revision" (
      "id" integer PRIMARY KEY NOT NULL,
      "revision" bigint NOT NULL)`);
    await q.query(`INSERT INTO "tenant_revision" ("id", "revision") VALUES (1, 0)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "tenant_revision"`);
  }
}
