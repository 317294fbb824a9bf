import { EntityManager } from 'typeorm';

/**
 * The tenant revision (migration TenantRevision): moved in the same transaction by every write
 * to accounts, API keys or property overrides — the repositories' write methods call this, so
 * no write can forget it. Equal revisions mean equal tables: each node's backstop re-read of
 * the tenants reads this one row, and the tables only when it moved.
 */
export async function moveTenantRevision(em: EntityManager): Promise<void> {
  await em.query('UPDATE "tenant_revision" SET "revision" = "revision" + 1 WHERE "id" = 1');
}

/** The current tenant revision, as text (PostgreSQL answers bigints as strings). */
export async function readTenantRevision(em: EntityManager): Promise<string> {
  const rows = await em.query<Array<{ revision: string | number }>>(
    'SELECT "revision" FROM "tenant_revision" WHERE "id" = 1',
  );
  return String(rows[0]?.revision ?? '');
}
