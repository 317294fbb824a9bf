import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1763800000000 implements MigrationInterface {
  name = 'InitialSchema1763800000000';

  public async up(q: QueryRunner): Promise<void> {
    // The same schema on SQLite and PostgreSQL; only the timestamp type differs.
    const now =
      q.connection.options.type === 'postgres'
        ? 'timestamp NOT NULL DEFAULT now()'
        : "datetime NOT NULL DEFAULT (datetime('now'))";
    await q.query(`CREATE TABLE "accounts" (
      "id" varchar(63) PRIMARY KEY NOT NULL,
      "name" varchar(200) NOT NULL,
      "createdAt" ${now},
      "updatedAt" ${now})`);
    await q.query(`CREATE TABLE "api_keys" (
      "key" varchar(64) PRIMARY KEY NOT NULL,
      "accountId" varchar(63) NOT NULL,
      "createdAt" ${now})`);
    await q.query(`CREATE INDEX "IDX_api_keys_accountId" ON "api_keys" ("accountId")`);
    await q.query(`CREATE TABLE "property_overrides" (
      "accountId" varchar(63) NOT NULL,
      "key" varchar(100) NOT NULL,
      "value" text NOT NULL,
      "updatedAt" ${now},
      PRIMARY KEY ("accountId", "key"))`);
    await q.query(
      `CREATE INDEX "IDX_property_overrides_accountId" ON "property_overrides" ("accountId")`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "property_overrides"`);
    await q.query(`DROP TABLE "api_keys"`);
    await q.query(`DROP TABLE "accounts"`);
  }
}
