import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `visitors` and `erased_ids` each had an index on "accountId" beside a primary key that starts
 * with "accountId", which serves the same lookups (SQLite and PostgreSQL alike use a key's
 * leading column). Every new visitor written paid one more B-tree insert for it: a third of
 * the registry's write work on the new-visitor path (docs/BENCHMARKS.md).
 */
export class DropRedundantVisitorIndexes1763800000009 implements MigrationInterface {
  name = 'DropRedundantVisitorIndexes1763800000009';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "IDX_visitors_accountId"`);
    await q.query(`DROP INDEX "IDX_erased_ids_accountId"`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "IDX_visitors_accountId" ON "visitors" ("accountId")`);
    await q.query(`CREATE INDEX "IDX_erased_ids_accountId" ON "erased_ids" ("accountId")`);
  }
}
