import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource, DataSourceOptions } from 'typeorm';
import { StartupFailure } from '../logging/json-logger';
import { connectionFailure } from './database-errors';
import { DatabaseUrl } from '../properties/property-values';
const MEMORY = ':memory:';

/**
 * The folder holding the SQLite file and generated secrets; null for an in-memory database
 * and for PostgreSQL (whose generated secrets are kept in the database, shared by every node).
 */
export function dataDirectory(url: DatabaseUrl): string | null {
  if (url.type !== 'sqlite') return null;
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

/** Connections each node keeps to PostgreSQL (visitor requests never wait for one). */
const POOL_SIZE = 10;

/** TypeORM options for a database URL; creates the SQLite data directory on demand. */
export function dataSourceOptions(url: DatabaseUrl): DataSourceOptions {
  if (url.type === 'postgres') {
    return {
      type: 'postgres',
      url: url.url,
      migrations: [migrationsGlob()],
      // Run by initializeDataSource under an advisory lock: several nodes may start at once.
      migrationsRun: false,
      migrationsTransactionMode: 'each',
      synchronize: false,
      logging: false,
      connectTimeoutMS: 5_000,
      extra: { max: POOL_SIZE, idleTimeoutMillis: 30_000 },
    };
  }
  const dir = dataDirectory(url);
  try {
    if (dir) mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new DatabaseStartError(
      `cannot create the data directory ${dir} of database.url: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
    );
  }
  return {
    type: 'sqlite',
    database: url.database === MEMORY ? MEMORY : resolve(url.database),
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

/** Any number held by every Pantry node: the advisory lock that serialises migrations. */
const MIGRATION_LOCK = 7_020_431_101;

/**
 * Opens the database and applies pending migrations. On PostgreSQL several nodes may start at
 * once: the migrations run under a session advisory lock, so one node applies them and the
 * others find nothing left to do.
 */
export async function initializeDataSource(options: DataSourceOptions): Promise<DataSource> {
  const dataSource = await new DataSource(options).initialize();
  if (options.type !== 'postgres') return dataSource;
  const lock = dataSource.createQueryRunner();
  try {
    await lock.connect();
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await dataSource.runMigrations({ transaction: 'each' });
  } catch (e) {
    // Closed, so a next attempt (connectDataSource) does not leave this pool behind.
    await lock.release().catch(() => undefined);
    await dataSource.destroy().catch(() => undefined);
    throw e;
  } finally {
    if (!lock.isReleased) {
      await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
      await lock.release();
    }
  }
  return dataSource;
}

/** A database Pantry cannot start on; the message is the one line an operator reads. */
class DatabaseStartError extends StartupFailure {}

/** user@host:port/db or the SQLite path, for messages: never the password or the options. */
function databaseTarget(options: DataSourceOptions): string {
  if (options.type === 'postgres' && options.url) {
    try {
      const url = new URL(options.url);
      const user = url.username ? `${decodeURIComponent(url.username)}@` : '';
      return `${user}${url.host}${url.pathname}`;
    } catch {
      return 'postgres';
    }
  }
  return String(options.database);
}

interface ConnectOptions {
  /** Attempts while the server cannot be reached (default 10). */
  readonly attempts?: number;
  readonly delayMs?: number;
  readonly logger?: Pick<Logger, 'warn'>;
}

/**
 * Opens the database at start (initializeDataSource), trying again while it cannot be reached —
 * one log line per attempt — and stopping at once, with one line naming the cause, when it
 * answers in a way another attempt cannot change (authentication, no such database, TLS). Used
 * with Nest's own retries off (TypeOrmModule `toRetry`), which logged a stack per attempt and
 * retried what could never work.
 */
export async function connectDataSource(
  options: DataSourceOptions,
  { attempts = 10, delayMs = 3_000, logger = new Logger('Database') }: ConnectOptions = {},
): Promise<DataSource> {
  const target = databaseTarget(options);
  for (let attempt = 1; ; attempt++) {
    try {
      return await initializeDataSource(options);
    } catch (e) {
      const failure = connectionFailure(e);
      if (!failure.retry) {
        throw new DatabaseStartError(`cannot use the database ${target}: ${failure.cause}`);
      }
      if (attempt >= attempts) {
        throw new DatabaseStartError(
          `cannot reach the database ${target} after ${attempts} attempts: ${failure.cause}`,
        );
      }
      logger.warn(
        `database ${target} ${failure.cause}; attempt ${attempt} of ${attempts}, trying again in ${Math.round(delayMs / 1000)} s`,
      );
      await sleep(delayMs);
    }
  }
}
