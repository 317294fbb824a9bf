import { MigrationInterface, QueryRunner } from 'typeorm';

/** Tokens that can be used once, by any node (the cross-domain bridge's, for one). */
export class OneTimeTokens1763800000005 implements MigrationInterface {
  name = 'OneTimeTokens1763800000005';

  public async up(q: QueryRunner): Promise<void> {
    const ms = q.connection.options.type === 'postgres' ? 'bigint' : 'integer';
    await q.query(`CREATE TABLE "one_time_tokens" (
      "id" varchar(64) PRIMARY KEY NOT NULL,
      "accountId" varchar(63) NOT NULL,
      "purpose" varchar(32) NOT NULL,
      "payload" text NOT NULL,
      "expiresAt" ${ms} NOT NULL,
      "usedAt" ${ms})`);
    await q.query(
      `CREATE INDEX "IDX_one_time_tokens_accountId" ON "one_time_tokens" ("accountId")`,
    );
    await q.query(
      `CREATE INDEX "IDX_one_time_tokens_expiresAt" ON "one_time_tokens" ("expiresAt")`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "one_time_tokens"`);
  }
}
