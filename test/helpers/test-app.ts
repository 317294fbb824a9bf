import { LoggerService } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { ENTITIES } from './entities';
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
  /**
   * Keep Pantry's default `server.drainSeconds` (7 s). Otherwise a workspace that does not set
   * it gets `server.drainSeconds = 0`: its processes have no load balancer to wait for, and a
   * stop that drained would add 7 s to every one (the drain is tested where it is set).
   */
  defaultDrain?: boolean;
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
  let text = given ? app : `${app}\ndatabase.url = ${databaseUrl}\n`;
  if (!files.defaultDrain && !/^\s*server\.drainSeconds\s*[=:]/im.test(app)) {
    text = `${text.replace(/\n?$/, '\n')}server.drainSeconds = 0\n`;
  }
  write('application.properties', text);
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

/** A booted app on its workspace, as useApp and useApps hand it to a suite. */
export interface AppHandle {
  readonly app: NestFastifyApplication;
  readonly ws: TestWorkspace;
  /** supertest on the app's HTTP server. */
  http(): ReturnType<typeof request>;
}

/** The apps a suite started; stopping one closes the app and removes its workspace. */
class Launcher {
  private readonly started: { ws: TestWorkspace; app?: NestFastifyApplication }[] = [];

  async start(files: ConfigFiles, options: StartOptions): Promise<AppHandle> {
    const booted: { ws: TestWorkspace; app?: NestFastifyApplication } = {
      ws: createWorkspace(files),
    };
    this.started.push(booted);
    const app = (booted.app = await startApp(booted.ws, options));
    return { app, ws: booted.ws, http: () => request(app.getHttpServer()) };
  }

  async stopAll(): Promise<void> {
    for (const { ws, app } of this.started.splice(0)) {
      try {
        await app?.close();
      } finally {
        ws.remove();
      }
    }
  }
}

export interface UseAppOptions extends StartOptions {
  /** `test`: a fresh workspace and app for every test; by default one for the suite. */
  per?: 'suite' | 'test';
}

/**
 * Boots the real app on a fresh workspace for the enclosing `describe` (or for each of its
 * tests), and closes it and removes the workspace after: it registers the jest hooks itself.
 * The handle's `app`, `ws` and `http()` are valid inside the tests, and inside hooks declared
 * after the call (jest runs hooks in declaration order). `files` may be a function, called in
 * the hook, when the configuration needs something a hook declared before made (a port).
 */
export function useApp(
  files: ConfigFiles | (() => ConfigFiles | Promise<ConfigFiles>) = {},
  { per = 'suite', ...options }: UseAppOptions = {},
): AppHandle {
  const launcher = new Launcher();
  let current: AppHandle | undefined;
  (per === 'test' ? beforeEach : beforeAll)(async () => {
    current = await launcher.start(typeof files === 'function' ? await files() : files, options);
  });
  (per === 'test' ? afterEach : afterAll)(async () => {
    current = undefined;
    await launcher.stopAll();
  });
  const booted = (): AppHandle => {
    if (!current) throw new Error('useApp: the app exists only inside tests and later hooks');
    return current;
  };
  return {
    get app() {
      return booted().app;
    },
    get ws() {
      return booted().ws;
    },
    http: () => booted().http(),
  };
}

/**
 * For tests that each boot their own configuration: `start` boots an app on a fresh workspace;
 * every app a test started is closed, and its workspace removed, after the test.
 */
export function useApps(): {
  start(files?: ConfigFiles, options?: StartOptions): Promise<AppHandle>;
} {
  const launcher = new Launcher();
  afterEach(() => launcher.stopAll());
  return { start: (files = {}, options = {}) => launcher.start(files, options) };
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
