import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import type { ServerEnv } from '../config/server-env';
import { dataDirectory } from '../database/database.options';
import type { PropertyValues } from '../properties/property-catalog';

/** Secrets generated at first start (a file in the data directory, or a shared table). */
interface StoredSecrets {
  signingSecret?: string;
  encryptionKey?: string;
  adminToken?: string;
}
type SecretName = keyof StoredSecrets;

export const SECRETS_FILE = 'secrets.json';

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
    if (!existsSync(this.path)) return {};
    if ((statSync(this.path).mode & 0o077) !== 0) {
      chmodSync(this.path, 0o600);
      this.logger.warn(`${this.path} was readable by others; its mode is now 0600`);
    }
    try {
      const parsed = JSON.parse(readFileSync(this.path, 'utf8')) as unknown;
      if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object');
      return parsed;
    } catch {
      // Never replace it silently: every visitor's cookies depend on the secrets in it.
      throw new Error(
        `${this.path} is not valid JSON; restore it from a backup or remove it to generate new secrets`,
      );
    }
  }

  private write(secrets: StoredSecrets): void {
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600 });
    renameSync(tmp, this.path);
  }
}

class TableStore implements SecretStore {
  readonly where = 'the database (table shared_secrets)';
  constructor(private readonly dataSource: DataSource) {}

  async complete(names: SecretName[]) {
    const generated = new Set<SecretName>();
    for (const name of names) {
      const inserted = await this.dataSource.query<unknown[]>(
        `INSERT INTO "shared_secrets" ("name", "value", "createdAt") VALUES ($1, $2, $3) ON CONFLICT ("name") DO NOTHING RETURNING "name"`,
        [name, GENERATORS[name](), Date.now()],
      );
      if (inserted.length > 0) generated.add(name);
    }
    const rows = await this.dataSource.query<Array<{ name: SecretName; value: string }>>(
      `SELECT "name", "value" FROM "shared_secrets"`,
    );
    const stored: StoredSecrets = {};
    for (const row of rows) stored[row.name] = row.value;
    return { stored, generated };
  }
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
    const url = props['database.url'];
    const dir = dataDirectory(url);
    const store: SecretStore =
      url.type === 'postgres'
        ? new TableStore(dataSource)
        : dir
          ? new FileStore(join(dir, SECRETS_FILE))
          : new MemoryStore();
    const wanted: SecretName[] = [];
    if (props['identifier.signingSecrets'].length === 0) wanted.push('signingSecret');
    if (!props['server.aes.encryptionKey']) wanted.push('encryptionKey');
    if (!env.PANTRY_ADMIN_TOKEN && !props['admin.token']) wanted.push('adminToken');
    const { stored, generated } = await store.complete(wanted);
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
        `generated an admin token; read it from ${store.where ?? 'nowhere (in-memory database: set PANTRY_ADMIN_TOKEN)'}, or set PANTRY_ADMIN_TOKEN`,
      );
    }
    return secrets;
  }
}

/** Whether the console is a JSON log (server.logFormat json, or auto off a terminal). */
function consoleIsLog(props: PropertyValues): boolean {
  const format = props['server.logFormat'];
  return format === 'json' || (format === 'auto' && !process.stdout.isTTY);
}
