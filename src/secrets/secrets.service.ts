import { consoleIsLog } from '../logging/json-logger';
import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import type { ServerEnv } from '../config/server-env';
import { dataDirectory } from '../database/database.options';
import { displayPath } from '../properties/configuration.reader';
import { DEFAULT_VALUES, PropertyValues } from '../properties/property-catalog';
import type { DatabaseUrl } from '../properties/property-values';

/** Secrets generated at first start (a file in the data directory, or a shared table). */
export interface StoredSecrets {
  signingSecret?: string;
  encryptionKey?: string;
  adminToken?: string;
}
type SecretName = keyof StoredSecrets;

const SECRETS_FILE = 'secrets.json';
/** The table that keeps generated secrets on PostgreSQL (migration SharedSecrets). */
export const SECRETS_TABLE = 'shared_secrets';

/**
 * Where a database's generated secrets live: the file `<data dir>/secrets.json` beside a
 * SQLite file, the table on PostgreSQL, nowhere for an in-memory database.
 */
export function secretsLocation(
  url: DatabaseUrl,
): { kind: 'file'; path: string } | { kind: 'table' } | { kind: 'memory' } {
  if (url.type === 'postgres') return { kind: 'table' };
  const dir = dataDirectory(url);
  return dir ? { kind: 'file', path: join(dir, SECRETS_FILE) } : { kind: 'memory' };
}

/** Reads a secrets file (empty when there is none); refuses one that is not a JSON object. */
export function readSecretsFile(path: string): StoredSecrets {
  if (!existsSync(path)) return {};
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error('not an object');
    }
    return parsed;
  } catch {
    // Never replace it silently: every visitor's cookies depend on the secrets in it.
    throw new Error(
      `${path} is not valid JSON; restore it from a backup or remove it to generate new secrets`,
    );
  }
}

/** Writes a secrets file atomically, readable by its owner only. */
export function writeSecretsFile(path: string, secrets: StoredSecrets): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, path);
}

/** Reads the secrets table of a PostgreSQL database (any query runner or manager). */
export async function readSecretsTable(db: {
  query<T>(sql: string): Promise<T>;
}): Promise<StoredSecrets> {
  const rows = await db.query<Array<{ name: SecretName; value: string }>>(
    `SELECT "name", "value" FROM "${SECRETS_TABLE}"`,
  );
  const stored: StoredSecrets = {};
  for (const row of rows) stored[row.name] = row.value;
  return stored;
}

/**
 * The secrets file a SQLite node with the default `database.url` keeps in its working
 * directory (`data/secrets.json`): a PostgreSQL node about to generate secrets next to one is
 * most likely being moved from SQLite without its data.
 */
function sqliteSecretsInWorkingDirectory(): string | null {
  const location = secretsLocation(DEFAULT_VALUES['database.url']);
  return location.kind === 'file' && existsSync(location.path) ? location.path : null;
}

/** The one line a PostgreSQL node prints instead of generating secrets beside a SQLite node's. */
function sqliteSecretsRefusal(path: string): string {
  const shown = displayPath(path);
  return (
    `the database has no secrets yet, but ${shown} (a SQLite node's secrets) is in the working directory: ` +
    `generating new ones would refuse every cookie and admin token that node issued. ` +
    `To keep them, stop the SQLite node and run "pantry db copy --to <this database.url>" (README: Moving from SQLite to PostgreSQL); ` +
    `to start fresh on purpose, move ${shown} out of the working directory`
  );
}

function generateToken(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

const GENERATORS: Record<SecretName, () => string> = {
  signingSecret: () => generateToken(32),
  encryptionKey: () => randomBytes(32).toString('base64'),
  adminToken: () => generateToken(24),
};

/**
 * Where generated secrets are kept: `<data dir>/secrets.json` (mode 0600) for a SQLite file;
 * the `shared_secrets` table for PostgreSQL, where the first node to start generates each one
 * and every other node reads the same (an INSERT … ON CONFLICT DO NOTHING decides the winner,
 * race-free); the process only, for an in-memory database.
 */
interface SecretStore {
  /** Adds each missing secret (first writer wins); returns what is stored and what this call generated. */
  complete(names: SecretName[]): Promise<{ stored: StoredSecrets; generated: Set<SecretName> }>;
  readonly where: string | null;
}

class FileStore implements SecretStore {
  private readonly logger = new Logger(SecretsService.name);
  constructor(private readonly path: string) {}

  get where(): string {
    return this.path;
  }

  complete(names: SecretName[]) {
    const stored = this.read();
    const generated = new Set(names.filter((n) => !stored[n]));
    for (const name of generated) stored[name] = GENERATORS[name]();
    if (generated.size > 0) this.write(stored);
    return Promise.resolve({ stored, generated });
  }

  private read(): StoredSecrets {
    if (existsSync(this.path) && (statSync(this.path).mode & 0o077) !== 0) {
      chmodSync(this.path, 0o600);
      this.logger.warn(`${this.path} was readable by others; its mode is now 0600`);
    }
    return readSecretsFile(this.path);
  }

  private write(secrets: StoredSecrets): void {
    writeSecretsFile(this.path, secrets);
  }
}

class TableStore implements SecretStore {
  readonly where = `the database (table ${SECRETS_TABLE})`;
  constructor(private readonly dataSource: DataSource) {}

  async complete(names: SecretName[]) {
    const generated = new Set<SecretName>();
    // Only an empty table beside a SQLite node's secrets file refuses: read it only then.
    const beside = names.length > 0 ? sqliteSecretsInWorkingDirectory() : null;
    if (beside && Object.keys(await readSecretsTable(this.dataSource)).length === 0) {
      throw new SecretsRefused(sqliteSecretsRefusal(beside));
    }
    for (const name of names) {
      const inserted = await this.dataSource.query<unknown[]>(
        `INSERT INTO "${SECRETS_TABLE}" ("name", "value", "createdAt") VALUES ($1, $2, $3) ON CONFLICT ("name") DO NOTHING RETURNING "name"`,
        [name, GENERATORS[name](), Date.now()],
      );
      if (inserted.length > 0) generated.add(name);
    }
    return { stored: await readSecretsTable(this.dataSource), generated };
  }
}

/**
 * Checked before the server starts, so the refusal is one line: whether a PostgreSQL node
 * would generate secrets on a database that has none, beside a SQLite node's secrets file
 * (SecretsService checks again as it generates; this only makes the common case clean).
 * Null when it may start; a database it cannot read is left to the start to report.
 */
export async function sqliteSecretsPreflight(
  props: PropertyValues,
  env: ServerEnv,
): Promise<string | null> {
  const url = props['database.url'];
  const beside = sqliteSecretsInWorkingDirectory();
  if (url.type !== 'postgres' || !beside || wantedSecrets(props, env).length === 0) return null;
  const client = new Client({ connectionString: url.url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    const found = await client.query<{ n: string }>(
      `SELECT COUNT(*) AS "n" FROM "${SECRETS_TABLE}"`,
    );
    return Number(found.rows[0].n) === 0 ? sqliteSecretsRefusal(beside) : null;
  } catch (e) {
    // No table yet (42P01) is an empty database; anything else is for the start to report.
    return (e as { code?: string }).code === '42P01' ? sqliteSecretsRefusal(beside) : null;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The secrets neither the environment nor the properties set: those the server generates. */
function wantedSecrets(props: PropertyValues, env: ServerEnv): SecretName[] {
  const wanted: SecretName[] = [];
  if (props['identifier.signingSecrets'].length === 0) wanted.push('signingSecret');
  if (!props['server.aes.encryptionKey']) wanted.push('encryptionKey');
  if (!env.PANTRY_ADMIN_TOKEN && !props['admin.token']) wanted.push('adminToken');
  return wanted;
}

/** A start that must not go on: main.ts prints the message, one line, and exits 1. */
class SecretsRefused extends Error {
  override readonly name = SecretsRefused.name;
}

class MemoryStore implements SecretStore {
  readonly where = null;
  complete(names: SecretName[]) {
    const stored: StoredSecrets = {};
    for (const name of names) stored[name] = GENERATORS[name]();
    return Promise.resolve({ stored, generated: new Set(names) });
  }
}

/**
 * The server's secrets: configured ones win (`PANTRY_ADMIN_TOKEN`, then application.properties);
 * missing ones are generated once and kept (SecretStore). Values never reach a log.
 */
export class SecretsService {
  /** First signs, all verify. */
  readonly signingSecrets: readonly string[];
  readonly encryptionKey: Buffer;
  readonly adminToken: string;
  /** How the admin token was set: for the effective-properties view. */
  readonly adminTokenSource: 'environment' | 'file' | 'generated';

  private constructor(props: PropertyValues, env: ServerEnv, stored: StoredSecrets) {
    this.signingSecrets = props['identifier.signingSecrets'].length
      ? props['identifier.signingSecrets']
      : [stored.signingSecret!];
    this.encryptionKey = Buffer.from(
      props['server.aes.encryptionKey'] ?? stored.encryptionKey!,
      'base64',
    );
    this.adminToken = env.PANTRY_ADMIN_TOKEN ?? props['admin.token'] ?? stored.adminToken!;
    this.adminTokenSource = env.PANTRY_ADMIN_TOKEN
      ? 'environment'
      : props['admin.token']
        ? 'file'
        : 'generated';
  }

  static async create(
    props: PropertyValues,
    env: ServerEnv,
    dataSource: DataSource,
  ): Promise<SecretsService> {
    const location = secretsLocation(props['database.url']);
    const store: SecretStore =
      location.kind === 'table'
        ? new TableStore(dataSource)
        : location.kind === 'file'
          ? new FileStore(location.path)
          : new MemoryStore();
    const { stored, generated } = await store.complete(wantedSecrets(props, env));
    if (generated.size > 0 && store.where === null) {
      new Logger(SecretsService.name).warn(
        'database.url is in memory: generated secrets last only as long as this process',
      );
    }
    const secrets = new SecretsService(props, env, stored);
    if (generated.has('adminToken') && !consoleIsLog(props)) {
      // Shown once, on the console, by the node that created it; never through the logger.
      process.stdout.write(
        `\n  Pantry generated an admin token (shown only this once${store.where ? `; also kept in ${store.where}` : ''}):\n` +
          `    ${secrets.adminToken}\n` +
          `  Use it as "Authorization: Bearer <token>" on /admin/v1, or set PANTRY_ADMIN_TOKEN.\n\n`,
      );
    }
    if (generated.has('adminToken') && consoleIsLog(props)) {
      // With JSON logs the console is the log: the token is not printed; it says where it is.
      new Logger(SecretsService.name).log(
        store.where
          ? `generated an admin token; read it from ${store.where} with "npm run pantry -- admin-token", or set PANTRY_ADMIN_TOKEN`
          : 'generated an admin token; read it from nowhere (in-memory database: set PANTRY_ADMIN_TOKEN)',
      );
    }
    return secrets;
  }
}
