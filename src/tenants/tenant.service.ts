import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Subscription } from 'rxjs';
import { AccountRepository } from '../accounts/account.repository';
import { ChangeFeed } from '../database/change-feed';
import { ConfigurationService } from '../properties/configuration.service';
import { PropertyOverrideRepository } from '../properties/property-override.repository';
import { VisitorRegistryService } from '../registry/visitor-registry.service';
import { ConfigurationError } from '../properties/configuration';
import {
  apiKeyConflicts,
  NO_STORED_TENANTS,
  TenantSnapshot,
  toStoredTenants,
} from './tenant-snapshot';

/** How often the shared database is re-read, as a backstop for lost notifications. */
export const TENANTS_REFRESH_MS = 5_000;

/**
 * Holds the one tenant snapshot and swaps it, whole, when its inputs change: the files
 * (a validated reload), the accounts, keys and overrides in the shared database (after this
 * node's own admin writes, at once when another node announces a change, and every few
 * seconds as a backstop). The request path only reads `current`: no database I/O.
 */
@Injectable()
export class TenantService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(TenantService.name);
  private snapshot: TenantSnapshot;
  /** The tenant revision the snapshot's stored part was read at ('' before the first read). */
  private revision = '';
  private refreshesStarted = 0;
  private refreshApplied = 0;
  private timer?: NodeJS.Timeout;
  private readonly subscriptions: Subscription[] = [];

  constructor(
    private readonly configuration: ConfigurationService,
    private readonly accounts: AccountRepository,
    private readonly overrides: PropertyOverrideRepository,
    private readonly registry: VisitorRegistryService,
    private readonly feed: ChangeFeed,
  ) {
    const startup = configuration.startup;
    this.snapshot = new TenantSnapshot(
      configuration.configuration,
      NO_STORED_TENANTS,
      {
        multiAccount: startup['server.multiAccount'],
        clusterEnabled: startup['identifier.clusterEnabled'],
      },
      (message) => this.logger.warn(message),
    );
    // A reload whose files give a stored API key to another account keeps the last good ones.
    configuration.addCheck(
      (next) => apiKeyConflicts(next, this.snapshot.stored),
      () => this.refresh(),
    );
    // A validated reload swaps the files in: the same stored state over the new configuration.
    this.subscriptions.push(
      configuration.changes.subscribe((next) => {
        this.snapshot = this.snapshot.withConfiguration(next);
      }),
    );
  }

  /** The snapshot in force. */
  get current(): TenantSnapshot {
    return this.snapshot;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.refresh();
    // The files were validated alone before the database was open; a file account taking an API
    // account's key stops the start, listed like every other configuration problem.
    const conflicts = apiKeyConflicts(this.snapshot.configuration, this.snapshot.stored);
    if (conflicts.length > 0) throw new ConfigurationError(conflicts);
    this.subscriptions.push(
      this.feed.changes.subscribe((change) => {
        if (change === 'accounts' || change === 'overrides' || change === 'all') {
          void this.refreshQuietly();
        }
      }),
    );
    this.timer = setInterval(() => void this.refreshQuietly(), TENANTS_REFRESH_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    this.subscriptions.forEach((s) => s.unsubscribe());
  }

  private refreshQuietly(): Promise<void> {
    return this.refresh().catch((e: unknown) =>
      this.logger.warn(`re-reading accounts and overrides failed: ${String(e)}`),
    );
  }

  /**
   * Re-reads accounts, keys and overrides from the shared database and swaps in a new snapshot
   * when they changed: one row (the tenant revision) tells whether they did, so the backstop
   * timer costs next to nothing however many accounts there are. The revision is read before
   * the tables, so a change committed in between is read again next time, never missed.
   * Refreshes may overlap (a write's, a notification's, the timer's): one that started earlier
   * never replaces what a later one read.
   */
  async refresh(): Promise<void> {
    const started = ++this.refreshesStarted;
    const revision = await this.accounts.tenantRevision();
    if (revision === this.revision) return;
    const [accounts, keys, overrides] = await Promise.all([
      this.accounts.findAllAccounts(),
      this.accounts.findAllKeys(),
      this.overrides.findAll(),
    ]);
    if (started < this.refreshApplied) return;
    this.refreshApplied = started;
    this.revision = revision;
    const stored = toStoredTenants(accounts, keys, overrides);
    // An API account deleted (here or on another node): what this node still holds of it goes.
    const kept = new Set(stored.accounts.map((a) => a.id));
    for (const gone of this.snapshot.stored.accounts) {
      if (!kept.has(gone.id) && !this.snapshot.configuration.accounts.has(gone.id)) {
        this.registry.forgetAccount(gone.id);
      }
    }
    this.snapshot = this.snapshot.withStored(stored);
  }
}
