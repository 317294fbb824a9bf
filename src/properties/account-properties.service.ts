import {
  HttpStatus,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { PantryException } from '../common/pantry.exception';
import { Subscription } from 'rxjs';
import { EntityManager } from 'typeorm';
import { ChangeFeed } from '../database/change-feed';
import { ConfigurationService } from './configuration.service';
import {
  PropertyOrigin,
  ResolvedProperties,
  findContradictions,
  layered,
  parsePropertyValue,
  unknownKeyMessage,
} from './configuration';
import { CatalogEntry, PropertyKey, findProperty } from './property-catalog';
import { PropertyOverrideRepository } from './property-override.repository';

/** How often overrides are re-read, so that every node sees another node's admin changes. */
export const OVERRIDE_REFRESH_MS = 5_000;

type Overrides = ReadonlyMap<string, ReadonlyMap<PropertyKey, string>>;

/**
 * Effective properties of an account: default < application.properties < account file <
 * admin-API override. Results are cached until the files or the overrides change, so the
 * request path never touches the database.
 */
@Injectable()
export class AccountPropertiesService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AccountPropertiesService.name);
  private overrides: Overrides = new Map();
  private overridesFingerprint = '';
  private readonly cache = new Map<string, ResolvedProperties>();
  private generation = 0;
  private subscription?: Subscription;
  private timer?: NodeJS.Timeout;
  private refreshesStarted = 0;
  private refreshApplied = 0;

  private feedSubscription?: Subscription;

  constructor(
    private readonly configuration: ConfigurationService,
    private readonly repository: PropertyOverrideRepository,
    private readonly feed: ChangeFeed,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.refresh();
    this.subscription = this.configuration.changes.subscribe(() => this.invalidate());
    const refresh = () =>
      this.refresh().catch((e: unknown) =>
        this.logger.warn(`refreshing property overrides failed: ${String(e)}`),
      );
    // Deleting an account deletes its overrides: 'accounts' counts too.
    this.feedSubscription = this.feed.changes.subscribe((change) => {
      if (change === 'overrides' || change === 'accounts' || change === 'all') void refresh();
    });
    this.timer = setInterval(() => void refresh(), OVERRIDE_REFRESH_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    this.subscription?.unsubscribe();
    this.feedSubscription?.unsubscribe();
  }

  /** Re-reads the overrides from the shared database; drops the cache only when they changed. */
  async refresh(): Promise<void> {
    const started = ++this.refreshesStarted;
    const rows = await this.repository.findAll();
    // Overlapping refreshes: an earlier one never overwrites what a later one read.
    if (started < this.refreshApplied) return;
    this.refreshApplied = started;
    const fingerprint = rows
      .map((r) => `${r.accountId}\u0000${r.key}\u0000${r.value}`)
      .join('\u0001');
    if (fingerprint === this.overridesFingerprint) return;
    const next = new Map<string, Map<PropertyKey, string>>();
    for (const row of rows) {
      const entry = findProperty(row.key);
      if (!entry) continue; // a key removed from the catalog since it was stored
      const forAccount = next.get(row.accountId) ?? new Map<PropertyKey, string>();
      forAccount.set(entry.key, row.value);
      next.set(row.accountId, forAccount);
    }
    this.overrides = next;
    this.overridesFingerprint = fingerprint;
    this.invalidate();
  }

  private invalidate(): void {
    this.cache.clear();
    this.generation++;
  }

  /**
   * Changes whenever any account's effective properties may have changed (files reloaded,
   * overrides changed): caches derived from properties compare it instead of subscribing.
   */
  get version(): number {
    return this.generation;
  }

  /** Resolved properties for a file account, or for an API account (on the application defaults). */
  forAccount(accountId: string): ResolvedProperties {
    const cached = this.cache.get(accountId);
    if (cached) return cached;
    const config = this.configuration.configuration;
    const base = config.accounts.get(accountId)?.properties ?? config.app;
    const resolved = this.applyOverrides(base, this.overrides.get(accountId));
    this.cache.set(accountId, resolved);
    return resolved;
  }

  private applyOverrides(
    base: ResolvedProperties,
    overrides: ReadonlyMap<PropertyKey, string> | undefined,
  ): ResolvedProperties {
    if (!overrides || overrides.size === 0) return base;
    const own: Array<readonly [PropertyKey, unknown, PropertyOrigin]> = [];
    for (const [key, raw] of overrides) {
      const entry = findProperty(key);
      const parsed = entry && parsePropertyValue(entry, raw);
      // Overrides were validated when written; one that no longer parses is skipped, not fatal.
      if (!parsed?.ok) {
        this.logger.warn(
          `ignoring stored override of ${key}: ${parsed ? parsed.message : 'unknown'}`,
        );
        continue;
      }
      own.push([key, parsed.value, { source: 'api', raw }]);
    }
    return layered(base, own);
  }

  /**
   * Validates an admin-API override exactly as a line of an account file would be validated
   * (the same catalog parsers and contradiction rules); returns the canonical key.
   */
  validateOverride(accountId: string, rawKey: string, raw: string): CatalogEntry {
    const entry = this.overridableEntry(rawKey);
    const parsed = parsePropertyValue(entry, raw);
    if (!parsed.ok) {
      throw new PantryException(
        HttpStatus.BAD_REQUEST,
        'invalid_property',
        `${entry.key}: ${parsed.message}`,
      );
    }
    const { values } = layered(this.forAccount(accountId), [
      [entry.key, parsed.value, { source: 'api', raw }],
    ]);
    const contradiction = findContradictions(values).find((c) => c.keys.includes(entry.key));
    if (contradiction) {
      throw new PantryException(
        HttpStatus.BAD_REQUEST,
        'invalid_property',
        `${entry.key}: ${contradiction.message}`,
      );
    }
    return entry;
  }

  /** The catalog entry of a key an override may set, or a 400 saying why not. */
  overridableEntry(rawKey: string): CatalogEntry {
    const entry = findProperty(rawKey);
    if (!entry) {
      throw new PantryException(
        HttpStatus.BAD_REQUEST,
        'unknown_property',
        `${rawKey}: ${unknownKeyMessage(rawKey)}`,
      );
    }
    if (entry.scope !== 'ACCOUNT') {
      throw new PantryException(
        HttpStatus.BAD_REQUEST,
        'property_scope',
        `${entry.key}: ${entry.scope} property: set it in application.properties, not per account`,
      );
    }
    if (entry.accountFileOnly) {
      throw new PantryException(
        HttpStatus.BAD_REQUEST,
        'property_scope',
        `${entry.key}: not a property override; use the account and API-key routes`,
      );
    }
    return entry;
  }

  /**
   * Stores an override (validated first) in the caller's unit of work; returns the canonical
   * key. Call refresh() once the unit has committed to apply it on this node.
   */
  async setOverride(
    em: EntityManager,
    accountId: string,
    rawKey: string,
    raw: string,
  ): Promise<PropertyKey> {
    const entry = this.validateOverride(accountId, rawKey, raw);
    await this.repository.upsert(em, accountId, entry.key, raw.trim());
    return entry.key;
  }

  /** Removes an override in the caller's unit of work; returns the canonical key, or null when there was none. */
  async removeOverride(
    em: EntityManager,
    accountId: string,
    rawKey: string,
  ): Promise<PropertyKey | null> {
    const entry = this.overridableEntry(rawKey);
    return (await this.repository.remove(em, accountId, entry.key)) ? entry.key : null;
  }
}
