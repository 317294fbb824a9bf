import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { serverEnv } from '../config/server-env';
import { dataDirectory } from '../database/database.options';
import { ConfigurationService } from '../properties/configuration.service';

/** Secrets generated at first start, kept in `<data dir>/secrets.json` (mode 0600). */
interface StoredSecrets {
  signingSecret?: string;
  encryptionKey?: string;
  adminToken?: string;
}

export const SECRETS_FILE = 'secrets.json';

function generateToken(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * The server's secrets: configured ones win (`PANTRY_ADMIN_TOKEN`, then application.properties);
 * missing ones are generated once and kept in the data directory. Values never reach a log.
 */
@Injectable()
export class SecretsService {
  private readonly logger = new Logger(SecretsService.name);
  /** First signs, all verify. */
  readonly signingSecrets: readonly string[];
  readonly encryptionKey: Buffer;
  readonly adminToken: string;

  constructor(
    config: ConfigurationService,
    @Inject(serverEnv.KEY) env: ConfigType<typeof serverEnv>,
  ) {
    const props = config.startup;
    const dir = dataDirectory(props['database.url']);
    const path = dir ? join(dir, SECRETS_FILE) : null;
    const stored = path ? this.read(path) : {};
    let changed = false;
    const generatedToken = !env.PANTRY_ADMIN_TOKEN && !props['admin.token'] && !stored.adminToken;

    if (props['identifier.signingSecrets'].length === 0 && !stored.signingSecret) {
      stored.signingSecret = generateToken(32);
      changed = true;
    }
    if (!props['server.aes.encryptionKey'] && !stored.encryptionKey) {
      stored.encryptionKey = randomBytes(32).toString('base64');
      changed = true;
    }
    if (generatedToken) {
      stored.adminToken = generateToken(24);
      changed = true;
    }
    if (changed && path) this.write(path, stored);
    if (!path && changed) {
      this.logger.warn(
        'database.url is in memory: generated secrets last only as long as this process',
      );
    }

    this.signingSecrets = props['identifier.signingSecrets'].length
      ? props['identifier.signingSecrets']
      : [stored.signingSecret!];
    this.encryptionKey = Buffer.from(
      props['server.aes.encryptionKey'] ?? stored.encryptionKey!,
      'base64',
    );
    this.adminToken = env.PANTRY_ADMIN_TOKEN ?? props['admin.token'] ?? stored.adminToken!;

    if (generatedToken) {
      // Shown once, on the console, when it is created; never through the logger.
      process.stdout.write(
        `\n  Pantry generated an admin token (shown only this once${path ? `; also kept in ${path}` : ''}):\n` +
          `    ${this.adminToken}\n` +
          `  Use it as "Authorization: Bearer <token>" on /admin/v1, or set PANTRY_ADMIN_TOKEN.\n\n`,
      );
    }
  }

  private read(path: string): StoredSecrets {
    if (!existsSync(path)) return {};
    if ((statSync(path).mode & 0o077) !== 0) {
      chmodSync(path, 0o600);
      this.logger.warn(`${path} was readable by others; its mode is now 0600`);
    }
    try {
      const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
      if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object');
      return parsed;
    } catch {
      // Never replace it silently: every visitor's cookies depend on the secrets in it.
      throw new Error(
        `${path} is not valid JSON; restore it from a backup or remove it to generate new secrets`,
      );
    }
  }

  private write(path: string, secrets: StoredSecrets): void {
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600 });
    renameSync(tmp, path);
  }
}
