import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Operator console sessions (SPEC §17): looked up by the hash of the session id a cookie
 * carries, on whichever node the request reaches; an account's go with the account.
 */
export class ConsoleSessions1763800000014 implements MigrationInterface {
  name = 'ConsoleSessions1763800000014';

  public async up(q: QueryRunner): Promise<void> {
    const ms = q.connection.options.type === 'postgres' ? 'bigint' : 'integer';
    await q.query(`CREATE TABLE "console_sessions" (
      "idHash" varchar(64) PRIMARY KEY NOT NULL,
      "kind" varchar(16) NOT NULL,
      "accountId" varchar(63),
      "credentialId" varchar(32),
      "binding" varchar(64),
      "createdAt" ${ms} NOT NULL,
      "lastSeenAt" ${ms} NOT NULL)`);
    await q.query(
      `CREATE INDEX "IDX_console_sessions_accountId" ON "console_sessions" ("accountId")`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "console_sessions"`);
  }
}
