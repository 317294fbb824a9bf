import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { existsSync, FSWatcher, watch } from 'node:fs';
import { join, resolve } from 'node:path';
import { Subject } from 'rxjs';
import { serverEnv } from '../config/server-env';
import type { Configuration } from './configuration';
import {
  ConfigProblem,
  ListenAddress,
  buildConfiguration,
  formatProblem,
  layered,
  ResolvedProperties,
} from './configuration';
import { readConfigurationFiles } from './configuration.reader';
import { PROPERTY_CATALOG, PropertyValues } from './property-catalog';

type LoadResult =
  { ok: true; configuration: Configuration } | { ok: false; problems: ConfigProblem[] };

/** Reads and validates the config directory. */
export function loadConfiguration(configDir: string, listen?: ListenAddress): LoadResult {
  const read = readConfigurationFiles(configDir);
  if (!read.ok) return read;
  return buildConfiguration(read.files.appFile, read.files.accountFiles, listen);
}

export interface ReloadSummary {
  readonly accounts: number;
  readonly added: string[];
  readonly removed: string[];
  /** IMMUTABLE keys changed in the file: they take effect at the next restart. */
  readonly restartRequired: string[];
}

type ReloadResult = { ok: true; summary: ReloadSummary } | { ok: false; problems: string[] };

const WATCH_DEBOUNCE_MS = 150;

/** The configuration main.ts already loaded and validated, so start-up reads the files once. */
export const INITIAL_CONFIGURATION = Symbol('INITIAL_CONFIGURATION');

const IMMUTABLE_KEYS = PROPERTY_CATALOG.filter((e) => e.scope === 'IMMUTABLE').map((e) => e.key);

function pinProperties(
  resolved: ResolvedProperties,
  startup: ResolvedProperties,
): ResolvedProperties {
  return layered(
    resolved,
    IMMUTABLE_KEYS.map((key) => [key, startup.values[key], startup.origins[key]] as const),
  );
}

/** A reloaded configuration keeps the IMMUTABLE values the server started with. */
function pinImmutable(config: Configuration, startup: ResolvedProperties): Configuration {
  return {
    app: pinProperties(config.app, startup),
    accounts: new Map(
      [...config.accounts].map(([id, a]) => [
        id,
        { ...a, properties: pinProperties(a.properties, startup) },
      ]),
    ),
  };
}

/**
 * The properties files as the server runs them. The configuration is replaced as a whole
 * (atomic swap) only when a reload validates; otherwise the last good one stays in force.
 */
@Injectable()
export class ConfigurationService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ConfigurationService.name);
  private current: Configuration;
  private watchers: FSWatcher[] = [];
  private debounce?: NodeJS.Timeout;
  readonly configDir: string;
  private readonly listen: ListenAddress;
  private readonly startupConfiguration: Configuration;
  /** Values of application.properties as read at start: IMMUTABLE keys are read from here. */
  readonly startup: PropertyValues;
  /** Emits the new configuration after every successful reload. */
  readonly changes = new Subject<Configuration>();
  /** Emits the outcome of every reload (for the metrics). */
  readonly reloadResults = new Subject<'ok' | 'failed'>();
  /** Checks against what the files cannot know alone (API keys stored in the database). */
  private readonly checks: Array<(next: Configuration) => ConfigProblem[]> = [];
  /** What the checks read, brought up to date before a reload the file watcher starts. */
  private readonly preparations: Array<() => Promise<void>> = [];

  constructor(
    @Inject(serverEnv.KEY) env: ConfigType<typeof serverEnv>,
    // Loaded and validated before the application is built (main.ts, the tests): never twice.
    @Inject(INITIAL_CONFIGURATION) configuration: Configuration,
  ) {
    this.configDir = resolve(env.PANTRY_CONFIG_DIR);
    this.listen = { host: env.HOST, port: env.PORT };
    this.current = configuration;
    this.startupConfiguration = configuration;
    this.startup = configuration.app.values;
  }

  get configuration(): Configuration {
    return this.current;
  }

  /**
   * Adds a check every reload must pass besides the files' own validation (a failing one keeps
   * the last good configuration, as a broken file does).
   */
  addCheck(check: (next: Configuration) => ConfigProblem[], prepare?: () => Promise<void>): void {
    this.checks.push(check);
    if (prepare) this.preparations.push(prepare);
  }

  /** A reload after the checks' inputs are re-read (a failed re-read: checked as they are). */
  private async reloadFresh(): Promise<void> {
    await Promise.all(this.preparations.map((prepare) => prepare().catch(() => undefined)));
    this.reload();
  }

  private load(): LoadResult {
    const loaded = loadConfiguration(this.configDir, this.listen);
    if (!loaded.ok) return loaded;
    const problems = this.checks.flatMap((check) => check(loaded.configuration));
    return problems.length > 0 ? { ok: false, problems } : loaded;
  }

  /** Re-reads the files; swaps them in only if every file validates. */
  reload(): ReloadResult {
    const loaded = this.load();
    if (!loaded.ok) {
      const problems = loaded.problems.map(formatProblem);
      this.logger.warn(
        `configuration not reloaded, the last good one stays in force:\n${problems.join('\n')}`,
      );
      this.reloadResults.next('failed');
      return { ok: false, problems };
    }
    const previous = this.current;
    const next = pinImmutable(loaded.configuration, this.startupConfiguration.app);
    // Compared with what the server started with: IMMUTABLE values never change while it runs.
    const restartRequired = PROPERTY_CATALOG.filter(
      (e) =>
        e.scope === 'IMMUTABLE' &&
        JSON.stringify(loaded.configuration.app.values[e.key]) !==
          JSON.stringify(this.startup[e.key]),
    ).map((e) => e.key);
    const summary: ReloadSummary = {
      accounts: next.accounts.size,
      added: [...next.accounts.keys()].filter((id) => !previous.accounts.has(id)),
      removed: [...previous.accounts.keys()].filter((id) => !next.accounts.has(id)),
      restartRequired,
    };
    this.current = next;
    const some = (ids: string[]) =>
      ids.length > 10
        ? `${ids.slice(0, 10).join(', ')} and ${ids.length - 10} more`
        : ids.join(', ');
    this.logger.log(
      `configuration reloaded: ${summary.accounts} accounts` +
        (summary.added.length ? `, added ${some(summary.added)}` : '') +
        (summary.removed.length ? `, removed ${some(summary.removed)}` : ''),
    );
    if (restartRequired.length) {
      this.logger.warn(
        `changed IMMUTABLE properties take effect at restart: ${restartRequired.join(', ')}`,
      );
    }
    this.changes.next(next);
    this.reloadResults.next('ok');
    return { ok: true, summary };
  }

  /**
   * Watches the two folders (not each file: 10,000 accounts are two watchers, not 10,000).
   * Any change to a `.properties` file, or to the accounts folder itself, schedules a reload.
   */
  onApplicationBootstrap(): void {
    this.watch();
  }

  private watch(): void {
    this.watchers.forEach((w) => w.close());
    this.watchers = [];
    for (const dir of [this.configDir, join(this.configDir, 'accounts')]) {
      if (!existsSync(dir)) continue;
      try {
        const watcher = watch(dir, (_event, filename) => {
          const name = filename?.toString() ?? '';
          if (name === 'accounts') this.watch();
          else if (name && !name.endsWith('.properties')) return;
          clearTimeout(this.debounce);
          this.debounce = setTimeout(() => void this.reloadFresh(), WATCH_DEBOUNCE_MS);
        });
        watcher.on('error', (e) => this.logger.warn(`watching ${dir} failed: ${String(e)}`));
        this.watchers.push(watcher);
      } catch (e) {
        this.logger.warn(`cannot watch ${dir} (${String(e)}); use POST /admin/v1/config/reload`);
      }
    }
  }

  onModuleDestroy(): void {
    clearTimeout(this.debounce);
    this.changes.complete();
    this.reloadResults.complete();
    this.watchers.forEach((w) => w.close());
  }
}
