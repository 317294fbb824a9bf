import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Consent from the site's CMP (SPEC §15): the visitor record keeps the last decision's source,
 * the purposes a TC string consented to (never the string) and when it was recorded.
 */
export class VisitorConsentRecord1763800000012 implements MigrationInterface {
  name = 'VisitorConsentRecord1763800000012';

  public async up(q: QueryRunner): Promise<void> {
    const ms = q.connection.options.type === 'postgres' ? 'bigint' : 'integer';
    await q.query(`ALTER TABLE "visitors" ADD COLUMN "consentSource" varchar(8)`);
    await q.query(`ALTER TABLE "visitors" ADD COLUMN "consentPurposes" varchar(64)`);
    await q.query(`ALTER TABLE "visitors" ADD COLUMN "consentAt" ${ms}`);
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const column of ['consentAt', 'consentPurposes', 'consentSource']) {
      await q.query(`ALTER TABLE "visitors" DROP COLUMN "${column}"`);
    }
  }
}
