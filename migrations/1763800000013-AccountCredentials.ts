import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-account access (SPEC §19): credentials with a role on one account, stored as the hash of
 * their token; looked up by that hash, listed by account.
 */
export class AccountCredentials1763800000013 implements MigrationInterface {
  name = 'AccountCredentials1763800000013';

  public async up(q: QueryRunner): Promise<void> {
    const ms = q.connection.options.type === 'postgres' ? 'bigint' : 'integer';
    await q.query(`CREATE TABLE "account_credentials" (
      "id" varchar(32) PRIMARY KEY NOT NULL,
      "accountId" varchar(63) NOT NULL,
      "name" varchar(64) NOT NULL,
      "role" varchar(16) NOT NULL,
      "tokenHash" varchar(64) NOT NULL,
      "createdAt" ${ms} NOT NULL)`);
    await q.query(
      `CREATE UNIQUE INDEX "IDX_account_credentials_tokenHash" ON "account_credentials" ("tokenHash")`,
    );
    await q.query(
      `CREATE INDEX "IDX_account_credentials_accountId" ON "account_credentials" ("accountId")`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "account_credentials"`);
  }
}
