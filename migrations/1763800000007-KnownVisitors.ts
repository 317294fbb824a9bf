import { MigrationInterface, QueryRunner } from 'typeorm';

/** Login: server-side sessions behind the authsession cookie, and visitor ↔ customer links. */
export class KnownVisitors1763800000007 implements MigrationInterface {
  name = 'KnownVisitors1763800000007';

  public async up(q: QueryRunner): Promise<void> {
    const ms = q.connection.options.type === 'postgres' ? 'bigint' : 'integer';
    await q.query(`CREATE TABLE "auth_sessions" (
      "id" varchar(36) PRIMARY KEY NOT NULL,
      "accountId" varchar(63) NOT NULL,
      "customerId" varchar(256) NOT NULL,
      "visitorId" varchar(64) NOT NULL,
      "createdAt" ${ms} NOT NULL,
      "expiresAt" ${ms} NOT NULL,
      "revokedAt" ${ms})`);
    await q.query(
      `CREATE INDEX "IDX_auth_sessions_customer" ON "auth_sessions" ("accountId", "customerId")`,
    );
    await q.query(`CREATE TABLE "customer_links" (
      "accountId" varchar(63) NOT NULL,
      "visitorId" varchar(64) NOT NULL,
      "customerId" varchar(256) NOT NULL,
      "linkedAt" ${ms} NOT NULL,
      "lastSeen" ${ms} NOT NULL,
      PRIMARY KEY ("accountId", "visitorId"))`);
    await q.query(
      `CREATE INDEX "IDX_customer_links_customer" ON "customer_links" ("accountId", "customerId")`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "customer_links"`);
    await q.query(`DROP TABLE "auth_sessions"`);
  }
}
