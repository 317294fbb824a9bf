import { LoggerService } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { ENTITIES } from '../../src/entities';
import { createTestDatabase } from './postgres';
import { APP_OPTIONS, configureApp, createAdapter } from '../../src/app.setup';
import { ConfigurationError } from '../../src/properties/configuration';
import { loadConfiguration } from '../../src/properties/configuration.service';

export interface ConfigFiles {
  /** application.properties (or a function of the data directory); a `database.url` on a
   * temporary SQLite file is added unless given. */
  app?: string | ((dataDir: string) => string);
  /** account id → account file text */
  accounts?: Record<string, string>;
}

export interface TestWorkspace {
  readonly root: string;
  readonly configDir: string;
  readonly dataDir: string;
  /** The database the workspace's application.properties names. */
  readonly databaseUrl: string;
  readonly postgres: boolean;
  /** Writes a config file atomically (as editors and deploy tools do). */
  write(relativePath: string, text: string): void;
  remove(): void;
}

export function createWorkspace(files: ConfigFiles = {}): TestWorkspace {
  const root = mkdtempSync(join(tmpdir(), 'pantry-test-'));
  const configDir = join(root, 'config');
  const dataDir = join(root, 'data');
  mkdirSync(join(configDir, 'accounts'), { recursive: true });
  const write = (relativePath: string, text: string) => {
    const path = join(configDir, relativePath);
    const tmp = join(root, `.tmp-${process.hrtime.bigint()}`);
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  };
  const app = typeof files.app === 'function' ? files.app(dataDir) : (files.app ?? '');
  const given = /^\s*database\.url\s*[=:]\s*(\S+)/im.exec(app)?.[1];
  const postgres = !given && process.env.PANTRY_TEST_DB === 'postgres';
  const databaseUrl =
    given ??
    (postgres
      ? createTestDatabase(requiredEnv('PANTRY_TEST_PG_URL'))
      : `sqlite:${join(dataDir, 'pantry.sqlite')}`);
  write('application.properties', given ? app : `${app}\ndatabase.url = ${databaseUrl}\n`);
  for (const [id, text] of Object.entries(files.accounts ?? {})) {
    write(join('accounts', `${id}.properties`), text);
  }
  return {
    root,
    configDir,
    dataDir,
    databaseUrl,
    postgres: postgres || databaseUrl.startsWith('postgres'),
    write,
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the PostgreSQL test cluster did not start`);
  return value;
}

/** A DataSource on the workspace's database, to read what a (stopped) server wrote. */
export async function openDatabase(ws: TestWorkspace): Promise<DataSource> {
  const url = ws.databaseUrl;
  const ds = new DataSource(
    url.startsWith('postgres')
      ? { type: 'postgres', url, entities: ENTITIES }
      : {
          type: 'sqlite',
          database: url.replace(/^sqlite:/, ''),
          busyTimeout: 5_000,
          entities: ENTITIES,
        },
  );
  return ds.initialize();
}

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface StartOptions {
  env?: Record<string, string | undefined>;
  /** A logger to capture output; by default the app logs nothing. */
  logger?: LoggerService;
}

/** Boots the real AppModule through the same configureApp() as main.ts. */
export async function startApp(
  workspace: TestWorkspace,
  options: StartOptions = {},
): Promise<NestFastifyApplication> {
  process.env.PANTRY_CONFIG_DIR = workspace.configDir;
  process.env.PANTRY_ADMIN_TOKEN = TEST_ADMIN_TOKEN;
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  const loaded = loadConfiguration(workspace.configDir);
  if (!loaded.ok) throw new ConfigurationError(loaded.problems);
  const builder = Test.createTestingModule({
    imports: [AppModule.forRoot(loaded.configuration)],
  });
  const moduleRef = await (options.logger ? builder.setLogger(options.logger) : builder).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(
    createAdapter(loaded.configuration.app.values),
    { ...APP_OPTIONS, logger: options.logger ?? false },
  );
  configureApp(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

/** Waits until `check` passes or the time is up (for file-watching tests). */
export async function eventually(
  check: () => void | Promise<void>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
