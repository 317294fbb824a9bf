import { existsSync, renameSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { types as pgTypes } from 'pg';
import { DataSource, DataSourceOptions, QueryRunner, Table } from 'typeorm';
import type { DatabaseUrl } from '../properties/property-values';
import {
  readSecretsFile,
  readSecretsTable,
  SECRETS_TABLE,
  secretsLocation,
  StoredSecrets,
  writeSecretsFile,
} from '../secrets/secrets.service';
import { dataSourceOptions, initializeDataSource } from '../database/database.options';

/** A copy that must not (or could not) happen; the message says why and what to do. */
export class CopyRefused extends Error {
  override readonly name = CopyRefused.name;
}

interface CopiedTable {
  readonly table: string;
  /** Rows in the source (its snapshot) and in the target after the copy: verified equal. */
  readonly rows: number;
}

interface CopyReport {
  readonly from: string;
  readonly to: string;
  readonly tables: readonly CopiedTable[];
  /** Generated secrets carried over, and where the target keeps them. */
  readonly secrets: { readonly names: readonly string[]; readonly where: string };
}

/** Rows per SELECT and per multi-row INSERT (bounded by the drivers' parameter limits too). */
const BATCH_ROWS = 500;
const MAX_PARAMETERS = 30_000;
const MEMORY = ':memory:';

/** A database URL for messages: never a password. */
export function describeDatabase(url: DatabaseUrl): string {
  return url.type === 'postgres' ? `postgres://${url.display}` : `sqlite:${url.database}`;
}

function sameDatabase(a: DatabaseUrl, b: DatabaseUrl): boolean {
  if (a.type === 'sqlite' && b.type === 'sqlite') {
    return a.database !== MEMORY && resolve(a.database) === resolve(b.database);
  }
  return a.type === 'postgres' && b.type === 'postgres' && a.display === b.display;
}

/**
 * Options to read a database exactly as stored: PostgreSQL timestamps as their text (the pg
 * driver would turn them into Dates in the local time zone), bigints as text (its default).
 */
function rawOptions(url: DatabaseUrl): DataSourceOptions {
  const options = dataSourceOptions(url);
  if (options.type !== 'postgres') return options;
  const asText = new Set<number>([
    pgTypes.builtins.TIMESTAMP,
    pgTypes.builtins.TIMESTAMPTZ,
    pgTypes.builtins.DATE,
  ]);
  return {
    ...options,
    extra: {
      ...(options.extra as Record<string, unknown>),
      max: 2,
      types: {
        getTypeParser: (oid: number, format?: 'text' | 'binary'): ((value: string) => unknown) =>
          asText.has(oid)
            ? (value) => value
            : (pgTypes.getTypeParser(oid, format ?? 'text') as (value: string) => unknown),
      },
    },
  };
}

/** A query's rows (QueryRunner.query is typed loosely). */
function select<T>(runner: QueryRunner, sql: string, params?: unknown[]): Promise<T> {
  return runner.query(sql, params) as Promise<T>;
}

const quoteName = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * The tables Pantry's migrations create, read from the database itself (so a table a future
 * migration adds is copied without anyone listing it): every table but TypeORM's own
 * bookkeeping and SQLite's internal ones.
 */
async function pantryTables(runner: QueryRunner): Promise<Table[]> {
  const migrations = runner.connection.options.migrationsTableName ?? 'migrations';
  const names =
    runner.connection.options.type === 'postgres'
      ? (
          await select<Array<{ name: string }>>(
            runner,
            `SELECT "table_name" AS "name" FROM "information_schema"."tables" WHERE "table_schema" = current_schema() AND "table_type" = 'BASE TABLE'`,
          )
        ).map((r) => r.name)
      : (
          await select<Array<{ name: string }>>(
            runner,
            `SELECT "name" FROM "sqlite_master" WHERE "type" = 'table' AND "name" NOT LIKE 'sqlite\\_%' ESCAPE '\\'`,
          )
        ).map((r) => r.name);
  const wanted = names.filter((n) => n !== migrations && n !== 'typeorm_metadata').sort();
  return runner.getTables(wanted);
}

async function countRows(runner: QueryRunner, table: string): Promise<number> {
  const rows = await select<Array<{ n: string | number }>>(
    runner,
    `SELECT COUNT(*) AS "n" FROM ${quoteName(table)}`,
  );
  return Number(rows[0].n);
}

type Row = Record<string, unknown>;

/** A column value as text (drivers answer strings, numbers, bigints, buffers or dates). */
function text(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (typeof value === 'string') return value;
  return typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean'
    ? String(value)
    : JSON.stringify(value);
}

/** A row as comparable text, whatever the driver returned (a bigint as a string or a number). */
function rowKey(row: Row): string {
  return JSON.stringify(
    Object.keys(row)
      .sort()
      .map((k) => [k, row[k] === null ? null : text(row[k])]),
  );
}

/**
 * The rows the migrations themselves insert (the tenant revision's one row, for one), read
 * from a freshly migrated in-memory database: a target holding only these is empty.
 */
async function seedRows(tables: readonly string[]): Promise<Map<string, string[]>> {
  const fresh = await initializeDataSource(dataSourceOptions({ type: 'sqlite', database: MEMORY }));
  try {
    const seeds = new Map<string, string[]>();
    for (const table of tables) {
      const rows = await fresh.query<Row[]>(`SELECT * FROM ${quoteName(table)}`).catch(() => []);
      seeds.set(table, rows.map(rowKey).sort());
    }
    return seeds;
  } finally {
    await fresh.destroy();
  }
}

/** Refuses a target that holds anything a Pantry node (or an earlier copy) wrote. */
async function refuseNonEmpty(
  target: DataSource,
  tables: readonly Table[],
  seeds: Map<string, string[]>,
  to: DatabaseUrl,
): Promise<void> {
  const holding: string[] = [];
  const runner = target.createQueryRunner();
  try {
    for (const table of tables) {
      const seed = seeds.get(table.name) ?? [];
      const count = await countRows(runner, table.name);
      const rows =
        count === seed.length && count > 0
          ? (await select<Row[]>(runner, `SELECT * FROM ${quoteName(table.name)}`)).map(rowKey)
          : [];
      if (count !== seed.length || JSON.stringify(rows.sort()) !== JSON.stringify(seed)) {
        holding.push(`${table.name} (${count} row${count === 1 ? '' : 's'})`);
      }
    }
  } finally {
    await runner.release();
  }
  const location = secretsLocation(to);
  if (location.kind === 'file' && existsSync(location.path)) holding.push(location.path);
  if (holding.length > 0) {
    throw new CopyRefused(
      `${describeDatabase(to)} already holds Pantry data: ${holding.join(', ')}. ` +
        'pantry db copy only fills an empty database, so nothing there is ever overwritten: ' +
        'copy to a new database (createdb NAME, or a new SQLite path)',
    );
  }
}

type ColumnKind = 'time' | 'integer' | 'boolean' | 'other';

function columnKind(type: string): ColumnKind {
  const t = type.toLowerCase();
  if (/timestamp|datetime|^date$/.test(t)) return 'time';
  if (/int|serial/.test(t)) return 'integer';
  if (/bool/.test(t)) return 'boolean';
  return 'other';
}

/**
 * A value as the target stores it. Timestamps travel as text in `YYYY-MM-DD HH:MM:SS.SSS`
 * (what TypeORM writes to SQLite; PostgreSQL reads it as is); integers as numbers for SQLite
 * (PostgreSQL's bigints arrive as text); booleans as SQLite's 0/1 or PostgreSQL's true/false.
 */
export function convertValue(value: unknown, kind: ColumnKind, target: 'sqlite' | 'postgres') {
  if (value === null || value === undefined) return null;
  if (kind === 'time') {
    const written = text(value);
    const m = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(?:\.(\d+))?(.*)$/.exec(written);
    if (!m) return written;
    if (m[4].trim() && m[4].trim() !== 'Z') {
      return new Date(written).toISOString().replace('T', ' ').replace('Z', '');
    }
    return `${m[1]} ${m[2]}.${(m[3] ?? '').slice(0, 3).padEnd(3, '0')}`;
  }
  if (kind === 'integer' && target === 'sqlite' && typeof value === 'string') {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : value;
  }
  if (kind === 'boolean') {
    const truthy =
      value === true || value === 1 || value === '1' || value === 't' || value === 'true';
    return target === 'sqlite' ? (truthy ? 1 : 0) : truthy;
  }
  return value;
}

/** Copies one table in batches (keyset pagination on the primary key); returns rows copied. */
async function copyTable(
  source: QueryRunner,
  target: QueryRunner,
  sourceTable: Table,
  targetTable: Table,
): Promise<number> {
  const targetType = target.connection.options.type === 'postgres' ? 'postgres' : 'sqlite';
  const sourceColumns = new Set(sourceTable.columns.map((c) => c.name));
  const missing = targetTable.columns.filter((c) => !sourceColumns.has(c.name) && !c.isNullable);
  if (missing.length > 0) {
    throw new CopyRefused(
      `the source's table ${targetTable.name} lacks ${missing.map((c) => c.name).join(', ')}: its schema is not this version's`,
    );
  }
  const columns = targetTable.columns.filter((c) => sourceColumns.has(c.name));
  const kinds = columns.map((c) => columnKind(c.type));
  const keys = sourceTable.primaryColumns.map((c) => c.name);
  const list = columns.map((c) => quoteName(c.name)).join(', ');
  const order = (keys.length ? keys : columns.map((c) => c.name)).map(quoteName).join(', ');
  const perBatch = Math.max(1, Math.min(BATCH_ROWS, Math.floor(MAX_PARAMETERS / columns.length)));
  const sourcePg = source.connection.options.type === 'postgres';
  const param = (i: number, pg: boolean) => (pg ? `$${i}` : '?');
  let copied = 0;
  let after: unknown[] | null = null;
  for (;;) {
    let where = '';
    let params: unknown[] = [];
    if (after && keys.length) {
      const placeholders = keys.map((_, i) => param(i + 1, sourcePg)).join(', ');
      where =
        keys.length === 1
          ? `WHERE ${quoteName(keys[0])} > ${placeholders}`
          : `WHERE (${keys.map(quoteName).join(', ')}) > (${placeholders})`;
      params = after;
    }
    const paging = keys.length ? '' : ` OFFSET ${copied}`;
    const rows = await select<Row[]>(
      source,
      `SELECT ${list} FROM ${quoteName(sourceTable.name)} ${where} ORDER BY ${order} LIMIT ${perBatch}${paging}`,
      params,
    );
    if (rows.length === 0) break;
    const values: unknown[] = [];
    const tuples = rows.map((row) => {
      const start = values.length;
      columns.forEach((c, i) => values.push(convertValue(row[c.name], kinds[i], targetType)));
      return `(${columns.map((_, i) => param(start + i + 1, targetType === 'postgres')).join(', ')})`;
    });
    await target.query(
      `INSERT INTO ${quoteName(targetTable.name)} (${list}) VALUES ${tuples.join(', ')}`,
      values,
    );
    copied += rows.length;
    const last = rows[rows.length - 1];
    after = keys.map((k) => last[k]);
    if (rows.length < perBatch) break;
  }
  return copied;
}

/** PostgreSQL serials do not move when rows are inserted with their ids: set them past the copy. */
async function advanceSequences(target: QueryRunner, table: string): Promise<void> {
  const serials = await select<Array<{ column: string; seq: string | null }>>(
    target,
    `SELECT "column_name" AS "column", pg_get_serial_sequence(quote_ident("table_name"), "column_name") AS "seq" FROM "information_schema"."columns" WHERE "table_schema" = current_schema() AND "table_name" = $1`,
    [table],
  );
  for (const { column, seq } of serials) {
    if (!seq) continue;
    await target.query(
      `SELECT setval($1, (SELECT COALESCE(MAX(${quoteName(column)}), 0) + 1 FROM ${quoteName(table)}), false)`,
      [seq],
    );
  }
}

async function sourceSecrets(runner: QueryRunner, from: DatabaseUrl): Promise<StoredSecrets> {
  const location = secretsLocation(from);
  const inTable = await readSecretsTable(runner);
  // A SQLite node keeps its generated secrets in the file beside the database.
  return location.kind === 'file' ? { ...inTable, ...readSecretsFile(location.path) } : inTable;
}

/**
 * Copies everything Pantry stores from one database to an empty one (SQLite → PostgreSQL or
 * back): every table the migrations create, read in one consistent snapshot and written in
 * batches inside one transaction, and the generated secrets (SQLite keeps them in
 * `secrets.json` beside the database, PostgreSQL in a table). Row counts are verified in the
 * target's transaction before it commits: a failed or partial copy leaves the target empty.
 */
export async function copyDatabase(from: DatabaseUrl, to: DatabaseUrl): Promise<CopyReport> {
  if (sameDatabase(from, to)) throw new CopyRefused('--to names the database copied from');
  for (const [url, what] of [
    [from, 'copy from'],
    [to, 'copy to'],
  ] as const) {
    if (url.type === 'sqlite' && url.database === MEMORY) {
      throw new CopyRefused(`cannot ${what} an in-memory database (sqlite::memory:)`);
    }
  }
  if (from.type === 'sqlite' && !existsSync(resolve(from.database))) {
    throw new CopyRefused(`no SQLite database at ${resolve(from.database)}`);
  }
  const source = await initializeDataSource(rawOptions(from));
  let target: DataSource | null = null;
  let pendingFile: { tmp: string; path: string } | null = null;
  try {
    target = await initializeDataSource(rawOptions(to));
    const readRunner = source.createQueryRunner();
    const writeRunner = target.createQueryRunner();
    try {
      const sourceTables = new Map((await pantryTables(readRunner)).map((t) => [t.name, t]));
      const targetTables = await pantryTables(writeRunner);
      const unknown = [...sourceTables.keys()].filter(
        (n) => !targetTables.some((t) => t.name === n),
      );
      if (unknown.length > 0) {
        throw new CopyRefused(
          `the source has tables this version of Pantry does not know (${unknown.join(', ')}): copy with the version that wrote them`,
        );
      }
      const seeds = await seedRows(targetTables.map((t) => t.name));
      await refuseNonEmpty(target, targetTables, seeds, to);

      await readRunner.startTransaction(from.type === 'postgres' ? 'REPEATABLE READ' : undefined);
      await writeRunner.startTransaction();
      try {
        const tables: CopiedTable[] = [];
        for (const table of targetTables) {
          if (table.name === SECRETS_TABLE) continue;
          const sourceTable = sourceTables.get(table.name);
          if ((seeds.get(table.name) ?? []).length > 0) {
            await writeRunner.query(`DELETE FROM ${quoteName(table.name)}`);
          }
          const copied = sourceTable
            ? await copyTable(readRunner, writeRunner, sourceTable, table)
            : 0;
          const [inSource, inTarget] = await Promise.all([
            sourceTable ? countRows(readRunner, table.name) : 0,
            countRows(writeRunner, table.name),
          ]);
          if (copied !== inSource || inTarget !== inSource) {
            throw new CopyRefused(
              `${table.name}: ${inSource} rows in the source, ${copied} copied, ${inTarget} in the target; nothing was committed`,
            );
          }
          if (to.type === 'postgres') await advanceSequences(writeRunner, table.name);
          tables.push({ table: table.name, rows: inTarget });
        }

        const secrets = await sourceSecrets(readRunner, from);
        const names = Object.keys(secrets).sort() as Array<keyof StoredSecrets>;
        const location = secretsLocation(to);
        let where: string;
        if (location.kind === 'file') {
          // Written beside the database before it commits, put in place after: a failed copy
          // leaves no secrets file that would make the target look taken.
          pendingFile = { tmp: `${location.path}.copy-${process.pid}`, path: location.path };
          writeSecretsFile(pendingFile.tmp, secrets);
          where = location.path;
        } else {
          const now = Date.now();
          for (const name of names) {
            await writeRunner.query(
              `INSERT INTO "${SECRETS_TABLE}" ("name", "value", "createdAt") VALUES ($1, $2, $3)`,
              [name, secrets[name], now],
            );
          }
          const stored = await readSecretsTable(writeRunner);
          if (names.some((n) => stored[n] !== secrets[n])) {
            throw new CopyRefused(
              'the secrets read back differ from those copied; nothing was committed',
            );
          }
          where = `the database (table ${SECRETS_TABLE})`;
        }
        await writeRunner.commitTransaction();
        if (pendingFile) {
          renameSync(pendingFile.tmp, pendingFile.path);
          pendingFile = null;
          const written = readSecretsFile(where);
          if (names.some((n) => written[n] !== secrets[n])) {
            throw new CopyRefused(`the secrets read back from ${where} differ from those copied`);
          }
        }
        return {
          from: describeDatabase(from),
          to: describeDatabase(to),
          tables,
          secrets: { names, where },
        };
      } catch (e) {
        if (writeRunner.isTransactionActive) await writeRunner.rollbackTransaction();
        throw e;
      } finally {
        if (readRunner.isTransactionActive) await readRunner.rollbackTransaction();
      }
    } finally {
      await readRunner.release();
      await writeRunner.release();
    }
  } finally {
    if (pendingFile) rmSync(pendingFile.tmp, { force: true });
    await source.destroy();
    await target?.destroy();
  }
}
