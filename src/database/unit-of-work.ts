import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { constants, accessSync, statSync } from 'node:fs';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { ErrorCode, PantryError } from '../common/errors';
import { describeDatabaseError, isDatabaseUnavailable } from './database-errors';

type Work<T> = (em: EntityManager) => Promise<T>;

/** The first key of every advisory lock `exclusive` takes: Pantry's, beside others' locks. */
const EXCLUSIVE_LOCKS = 0x70747279; // 'ptry'

interface FileIdentity {
  readonly path: string;
  readonly dev: number;
  readonly ino: number;
}

const unavailable = (why: string) =>
  new PantryError(
    ErrorCode.DatabaseUnavailable,
    `The database cannot be written (${why}); nothing was changed. Try again later.`,
  );

/** The database cannot be written now (503 `database_unavailable` from a unit of work). */
export function isUnavailable(e: unknown): boolean {
  return e instanceof PantryError && e.code === ErrorCode.DatabaseUnavailable;
}

/**
 * The one place that owns database transactions (every write path goes through it: admin
 * changes with their audit entries, registry flushes, erasures).
 *
 * SQLite: TypeORM's sqlite driver has a single connection and a single shared QueryRunner, so
 * two `DataSource.transaction()` calls in flight at once nest inside each other (SAVEPOINTs of
 * one released by the other, "cannot start a transaction within a transaction"), and a plain
 * statement issued meanwhile joins whatever transaction is open. Here every unit (reads too,
 * so they never see another unit's uncommitted rows) runs alone, in order; a failed unit is
 * always rolled back and the connection is never left inside a transaction.
 *
 * Other databases (a pool): each unit gets its own connection and runs concurrently.
 *
 * A unit that resolves has committed. Driver errors meaning "the database cannot be used now"
 * become 503 `database_unavailable`; uniqueness and other errors reach the caller unchanged.
 */
@Injectable()
export class UnitOfWork implements OnModuleInit {
  private readonly logger = new Logger(UnitOfWork.name);
  private readonly serialised: boolean;
  private tail: Promise<unknown> = Promise.resolve();
  private file: FileIdentity | null = null;

  constructor(private readonly dataSource: DataSource) {
    this.serialised = dataSource.options.type === 'sqlite';
  }

  async onModuleInit(): Promise<void> {
    if (!this.serialised) return;
    const database = String(this.dataSource.options.database);
    if (database !== ':memory:') {
      const st = statSync(database);
      this.file = { path: database, dev: st.dev, ino: st.ino };
    }
    // A commit is on disk before it is answered (the default, stated rather than assumed).
    await this.dataSource.query('PRAGMA synchronous = FULL');
    // New visitors' sightings are upserted in batches of thousands at random places of the
    // visitors' primary key. SQLite's default 2 MiB page cache spilled dirty pages mid-batch and
    // read them back; 16 MiB keeps the key's pages of a few hundred thousand visitors (allocated
    // as used: +9% new visitors a second once the table holds that many; 32 MiB measured the
    // same, and it is memory every node holds). Statement journals stay in memory.
    await this.dataSource.query('PRAGMA cache_size = -16384');
    await this.dataSource.query('PRAGMA temp_store = MEMORY');
  }

  /** Runs `work` in one transaction; resolves once it has committed. */
  transaction<T>(work: Work<T>): Promise<T> {
    return this.schedule(async () => {
      const problem = this.fileProblem();
      if (problem) throw unavailable(problem);
      return this.inTransaction(work);
    });
  }

  /**
   * Inside a unit: waits until no other unit, on any node, holds `key`, then holds it until this
   * unit commits or rolls back. For a check-then-write that no key or constraint of the
   * database decides (a limit on a count): on PostgreSQL a transaction-scoped advisory lock
   * (two-key form, so it never meets the migrations' one-key lock); on SQLite the units already
   * run one at a time.
   */
  async exclusive(em: EntityManager, key: string): Promise<void> {
    if (this.serialised) return;
    await em.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [EXCLUSIVE_LOCKS, key]);
  }

  /** Runs a read; on SQLite after the units queued before it. */
  read<T>(work: Work<T>): Promise<T> {
    return this.schedule(() => work(this.dataSource.manager));
  }

  /**
   * Why the SQLite file cannot take writes, or null: it was deleted or replaced under the
   * running server (writes would go to an orphaned inode and vanish), or made read-only.
   */
  fileProblem(): string | null {
    if (!this.file) return null;
    let st;
    try {
      st = statSync(this.file.path);
    } catch {
      return `the database file ${this.file.path} was deleted`;
    }
    if (st.dev !== this.file.dev || st.ino !== this.file.ino) {
      return `the database file ${this.file.path} was replaced; restart Pantry`;
    }
    try {
      // Root passes access(); the mode bits still say what the operator meant.
      accessSync(this.file.path, constants.W_OK);
      if ((st.mode & 0o222) === 0) throw new Error('read-only');
    } catch {
      return `the database file ${this.file.path} is read-only`;
    }
    return null;
  }

  private schedule<T>(run: () => Promise<T>): Promise<T> {
    const guarded = async () => {
      try {
        return await run();
      } catch (e) {
        if (!(e instanceof PantryError) && isDatabaseUnavailable(e)) {
          this.logger.warn(`database unavailable: ${describeDatabaseError(e)}`);
          throw unavailable(describeDatabaseError(e).split(':')[0]);
        }
        throw e;
      }
    };
    if (!this.serialised) return guarded();
    const result = this.tail.then(guarded);
    this.tail = result.catch(() => undefined);
    return result;
  }

  private async inTransaction<T>(work: Work<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      await runner.startTransaction();
      try {
        const result = await work(runner.manager);
        await runner.commitTransaction();
        return result;
      } catch (e) {
        await this.rollback(runner);
        throw e;
      }
    } finally {
      await runner.release();
    }
  }

  /**
   * Rolls back, whatever state the failure left. When COMMIT failed after SQLite had already
   * ended the transaction (a full disk, an I/O error), ROLLBACK fails too ("no transaction is
   * active") and TypeORM's one shared SQLite runner still believes a transaction is open: every
   * later unit would nest in a SAVEPOINT and the entity manager would skip its own
   * transactions. TypeORM clears that belief only when its own rollback succeeds, so the
   * connection is given an empty transaction for it to roll back (public API only: the runner's
   * flags are never written here).
   */
  private async rollback(runner: QueryRunner): Promise<void> {
    try {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
    } catch (e) {
      this.logger.warn(`rollback failed: ${describeDatabaseError(e)}`);
    }
    if (runner.isTransactionActive && this.serialised) await this.resync(runner);
  }

  /** Brings TypeORM's SQLite runner back in step with a connection outside any transaction. */
  private async resync(runner: QueryRunner): Promise<void> {
    // Whatever SQLite may still hold is ended first; an error here means it held nothing.
    await runner.query('ROLLBACK').catch(() => undefined);
    try {
      await runner.query('BEGIN');
      await runner.rollbackTransaction();
    } catch (e) {
      // Only a unit nesting TypeORM transactions (Pantry's do not) could get here.
      await runner.query('ROLLBACK').catch(() => undefined);
      this.logger.error(`the SQLite connection could not be reset: ${describeDatabaseError(e)}`);
    }
  }
}
