import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../database/database.options';
import { describeDatabaseError } from '../database/database-errors';
import type { DatabaseUrl } from '../properties/property-values';
import { StoredTenants, toStoredTenants } from '../tenants/tenant-snapshot';

type OpenedDatabase = { ok: true; dataSource: DataSource } | { ok: false; reason: string };

/**
 * Opens the database a command reads, as it is: no migrations run, no SQLite file created.
 * Unreachable, missing or in memory is an answer (`reason`), not an error.
 */
export async function openExistingDatabase(url: DatabaseUrl): Promise<OpenedDatabase> {
  if (url.type === 'sqlite') {
    if (url.database === ':memory:') return { ok: false, reason: 'the database is in memory' };
    if (!existsSync(resolve(url.database))) {
      return { ok: false, reason: `no SQLite database at ${resolve(url.database)} yet` };
    }
  }
  const options = dataSourceOptions(url);
  const dataSource = new DataSource({
    ...options,
    migrationsRun: false,
    ...(options.type === 'postgres'
      ? { extra: { ...(options.extra as Record<string, unknown>), max: 1 } }
      : {}),
  });
  try {
    await dataSource.initialize();
    return { ok: true, dataSource };
  } catch (e) {
    return { ok: false, reason: describeDatabaseError(e) };
  }
}

/** What the database holds about tenants (API accounts, keys, overrides), as TenantService reads it. */
export async function readStoredTenants(dataSource: DataSource): Promise<StoredTenants> {
  const [accounts, keys, overrides] = await Promise.all([
    dataSource.query<Array<{ id: string; name: string }>>(
      'SELECT "id", "name" FROM "accounts" ORDER BY "id"',
    ),
    dataSource.query<Array<{ key: string; accountId: string; createdAt: string | Date }>>(
      'SELECT "key", "accountId", "createdAt" FROM "api_keys" ORDER BY "key"',
    ),
    dataSource.query<Array<{ accountId: string; key: string; value: string }>>(
      'SELECT "accountId", "key", "value" FROM "property_overrides" ORDER BY "accountId", "key"',
    ),
  ]);
  return toStoredTenants(accounts, keys, overrides);
}
