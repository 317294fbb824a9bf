import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Subscription } from 'rxjs';
import { ErrorCode, PantryError } from '../common/errors';
import { CookiePlan } from '../cookies/cookie-plan';
import { OriginMatcher } from '../vocabulary/origin-matcher';
import { AccountRepository } from './account.repository';
import { ChangeFeed } from '../database/change-feed';
import { ConfigurationService } from '../properties/configuration.service';
import { PropertyOverrideRepository } from './property-override.repository';
import { VisitorRegistryService } from '../registry/visitor-registry.service';
import { ConfigurationError, ResolvedProperties } from '../properties/configuration';
import {
  Account,
  apiKeyConflicts,
  NO_STORED_TENANTS,
  TenantSnapshot,
  toStoredTenants,
} from './tenant-snapshot';

/** An account resolved for a visitor request: its id, the API key used and its cookie plan. */
export interface VisitorAccount {
  readonly accountId: string;
  readonly apiKey: string;
  readonly plan: CookiePlan;
}

/** How often the shared database is re-read, as a backstop for lost notifications. */
const TENANTS_REFRESH_MS = 5_000;

/**
 * Holds the one tenant snapshot and swaps it, whole, when its inputs change: the files
 * (a validated reload), the accounts, keys and overrides in the shared database (after this
 * node's own admin writes, at once when another node announces a change, and every few
 * seconds as a backstop). The request path only reads `current`: no database I/O.
 */
/** The 404 of an account no file or row defines. */
export const accountNotFound = (id: string) =>
  new PantryError(ErrorCode.AccountNotFound, `No account "${id}".`);

@Injectable()
export class TenantService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(TenantService.name);
  private snapshot: TenantSnapshot;
  /** The tenant revision the snapshot's stored part was read at ('' before the first read). */
  private revision = '';
  /** The refresh reading now, and the one queued to start after it (see refresh). */
  private reading?: Promise<void>;
  private queued?: Promise<void>;
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

  // The one read API of account state: every feature reads accounts, keys, properties and
  // cookie plans here (map lookups on the snapshot in force; no database I/O).

  list(): Account[] {
    return [...this.snapshot.accounts.values()];
  }

  count(): number {
    return this.snapshot.accounts.size;
  }

  account(id: string): Account | null {
    return this.snapshot.account(id);
  }

  /** The account, or a 404. */
  require(id: string): Account {
    const account = this.snapshot.account(id);
    if (!account) throw accountNotFound(id);
    return account;
  }

  /** The account id an API key belongs to, or null. */
  accountForApiKey(apiKey: string): string | null {
    return this.snapshot.accountForApiKey(apiKey);
  }

  /** Effective properties: default < application.properties < account file < API override. */
  propertiesOf(accountId: string): ResolvedProperties {
    return this.snapshot.propertiesOf(accountId);
  }

  planFor(accountId: string, apiKey: string): CookiePlan {
    return this.snapshot.plan(accountId, apiKey);
  }

  /** The account with its first API key's plan (document mode, where no key comes), or null. */
  visitorAccount(accountId: string): VisitorAccount | null {
    const apiKey = this.snapshot.account(accountId)?.apiKeys[0]?.key;
    return apiKey ? { accountId, apiKey, plan: this.snapshot.plan(accountId, apiKey) } : null;
  }

  /** Origins any account allows: for preflights that do not name their account. */
  anyAccountOrigins(): OriginMatcher {
    return this.snapshot.anyAccountOrigins();
  }

  /** Header names derive from the server prefix: `identifier.cookieNamePrefix` of application.properties. */
  get serverPrefix(): string {
    return this.snapshot.configuration.app.values['identifier.cookieNamePrefix'].toLowerCase();
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
   *
   * One refresh reads at a time. A call while one reads (a write's, a notification's, the
   * timer's, all at once) waits for the one queued after it, which every such call shares: the
   * reading one may have read the revision before the caller's commit, the queued one starts
   * after it. So a write reads the tables once, however many refreshes it meets, and its
   * answer still waits for a read that sees it.
   */
  refresh(): Promise<void> {
    if (!this.reading) {
      this.reading = this.readStored().finally(() => (this.reading = undefined));
      return this.reading;
    }
    this.queued ??= this.reading
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.refresh();
      });
    return this.queued;
  }

  private async readStored(): Promise<void> {
    const revision = await this.accounts.tenantRevision();
    if (revision === this.revision) return;
    const [accounts, keys, overrides] = await Promise.all([
      this.accounts.findAllAccounts(),
      this.accounts.findAllKeys(),
      this.overrides.findAll(),
    ]);
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
