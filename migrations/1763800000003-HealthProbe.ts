import { MigrationInterface, QueryRunner } from 'typeorm';

export class HealthProbe1763800000003 implements MigrationInterface {
  name = 'HealthProbe1763800000003';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "health_probe" (
      "id" integer PRIMARY KEY NOT NULL,
      "checkedAt" bigint NOT NULL)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "health_probe"`);
  }
}
