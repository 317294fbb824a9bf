import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DataSourceOptions } from 'typeorm';
import { DatabaseUrl } from '../properties/property-values';
import { AccountEntity } from '../accounts/account.entity';
import { AuditEntryEntity } from '../audit/audit-entry.entity';
import { ApiKeyEntity } from '../accounts/api-key.entity';
import { PropertyOverrideEntity } from '../properties/property-override.entity';
import { HealthProbeEntity } from '../health/health-probe.entity';
import { ErasedIdEntity } from '../registry/erased-id.entity';
import { VisitorEntity } from '../registry/visitor.entity';

export const ENTITIES = [
  AccountEntity,
  ApiKeyEntity,
  PropertyOverrideEntity,
  VisitorEntity,
  ErasedIdEntity,
  AuditEntryEntity,
  HealthProbeEntity,
];

const MEMORY = ':memory:';

/** The folder holding the SQLite file and generated secrets; null for an in-memory database. */
export function dataDirectory(url: DatabaseUrl): string | null {
  return url.database === MEMORY ? null : dirname(resolve(url.database));
}

/**
 * Migrations are compiled to dist/migrations beside dist/database; under ts-node or Jest
 * this file runs from src/database and the sources in migrations/ are loaded instead.
 */
function migrationsGlob(): string {
  return __filename.endsWith('.ts')
    ? join(__dirname, '..', '..', 'migrations', '*.ts')
    : join(__dirname, '..', 'migrations', '*.js');
}

/** TypeORM options for a database URL; creates the data directory on demand. */
export function dataSourceOptions(url: DatabaseUrl): DataSourceOptions {
  const dir = dataDirectory(url);
  if (dir) mkdirSync(dir, { recursive: true });
  return {
    type: 'sqlite',
    database: url.database === MEMORY ? MEMORY : resolve(url.database),
    entities: ENTITIES,
    migrations: [migrationsGlob()],
    migrationsRun: true,
    synchronize: false,
    logging: false,
    // WAL: readers do not block the writer and a commit is one append; the busy timeout covers
    // another process (the migration CLI) holding the lock for a moment.
    enableWAL: true,
    busyTimeout: 5_000,
  };
}
