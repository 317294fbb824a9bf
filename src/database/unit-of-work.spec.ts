import { Logger } from '@nestjs/common';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource, EntityManager } from 'typeorm';
import { ErrorCode, ERROR_STATUS, PantryError } from '../common/errors';
import { isUnavailable, UnitOfWork } from './unit-of-work';

/** A real SQLite file, written through a UnitOfWork and read back over a second connection. */
describe('UnitOfWork on SQLite', () => {
  let dir: string;
  let file: string;
  let dataSource: DataSource;
  let uow: UnitOfWork;

  const rowsOnDisk = async (): Promise<number[]> => {
    const other = await new DataSource({ type: 'sqlite', database: file }).initialize();
    try {
      const rows: Array<{ id: number }> = await other.query('SELECT id FROM t ORDER BY id');
      return rows.map((r) => r.id);
    } finally {
      await other.destroy();
    }
  };
  const insert = (id: number) => (em: EntityManager) => em.query('INSERT INTO t VALUES (?)', [id]);

  beforeEach(async () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    dir = mkdtempSync(join(tmpdir(), 'pantry-uow-'));
    file = join(dir, 'pantry.sqlite');
    dataSource = await new DataSource({ type: 'sqlite', database: file }).initialize();
    await dataSource.query('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    uow = new UnitOfWork(dataSource);
    await uow.onModuleInit();
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits a unit that resolves, and rolls back one that rejects', async () => {
    await uow.transaction(insert(1));
    const failure = new PantryError(ErrorCode.AccountExists, 'taken');
    await expect(
      uow.transaction(async (em) => {
        await insert(2)(em);
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await rowsOnDisk()).toEqual([1]);
  });

  // SQLite ends a transaction itself when its COMMIT fails on a full disk or an I/O error; the
  // unit then finds no transaction to roll back. Simulated by ending it under TypeORM's feet.
  it.each<[string, (em: EntityManager) => Promise<unknown>]>([
    ['a COMMIT that fails after SQLite ended the transaction', (em) => em.query('ROLLBACK')],
    [
      'a unit that fails after SQLite ended the transaction',
      async (em) => {
        await em.query('ROLLBACK');
        throw new Error('failed after the end');
      },
    ],
  ])('after %s, the next units commit on their own', async (_what, end) => {
    await expect(
      uow.transaction(async (em) => {
        await insert(1)(em);
        return end(em);
      }),
    ).rejects.toThrow();
    // TypeORM's one shared SQLite runner no longer believes a transaction is open ...
    expect(dataSource.createQueryRunner().isTransactionActive).toBe(false);
    // ... so each next unit is a transaction of its own, committed when it resolves.
    await uow.transaction(insert(2));
    expect(await rowsOnDisk()).toEqual([2]);
    await expect(
      uow.transaction(async (em) => {
        await insert(3)(em);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await uow.transaction(insert(4));
    expect(await rowsOnDisk()).toEqual([2, 4]);
    expect(dataSource.createQueryRunner().isTransactionActive).toBe(false);
  });

  it('refuses to write a read-only file with a PantryError database_unavailable', async () => {
    chmodSync(file, 0o444);
    const refused = await uow.transaction(insert(1)).then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(PantryError);
    expect(refused).toMatchObject({ code: ErrorCode.DatabaseUnavailable });
    expect(ERROR_STATUS[ErrorCode.DatabaseUnavailable]).toBe(503);
    expect((refused as Error).message).toMatch(/is read-only\); nothing was changed/);
    expect(isUnavailable(refused)).toBe(true);
    chmodSync(file, 0o644);
    expect(await rowsOnDisk()).toEqual([]);
  });

  it('says a driver error that means "cannot be used now" is database_unavailable', async () => {
    const busy = Object.assign(new Error('SQLITE_BUSY: database is locked'), {
      code: 'SQLITE_BUSY',
    });
    const refused = await uow
      .read(() => Promise.reject(busy))
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(isUnavailable(refused)).toBe(true);
    expect(isUnavailable(busy)).toBe(false);
    expect(isUnavailable(new PantryError(ErrorCode.NotReady, 'm'))).toBe(false);
  });
});
