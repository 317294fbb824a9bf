import { MigrationInterface, QueryRunner } from 'typeorm';

export class AuditLog1763800000002 implements MigrationInterface {
  name = 'AuditLog1763800000002';

  public async up(q: QueryRunner): Promise<void> {
    const pg = q.connection.options.type === 'postgres';
    await q.query(`CREATE TABLE "audit_log" (
      "id" ${pg ? 'serial PRIMARY KEY' : 'integer PRIMARY KEY AUTOINCREMENT NOT NULL'},
      "at" ${pg ? 'bigint' : 'integer'} NOT NULL,
      "actor" varchar(200) NOT NULL,
      "action" varchar(64) NOT NULL,
      "accountId" varchar(63),
      "target" varchar(200),
      "details" text)`);
    await q.query(`CREATE INDEX "IDX_audit_log_at" ON "audit_log" ("at")`);
    await q.query(`CREATE INDEX "IDX_audit_log_accountId" ON "audit_log" ("accountId")`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "audit_log"`);
  }
}
