import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Subscription } from 'rxjs';
import { EntityManager } from 'typeorm';
import { AuditRecord, AuditService } from '../audit/audit.service';
import { ErrorCode, PantryError } from '../common/errors';
import { Change, ChangeFeed } from '../database/change-feed';
import { UnitOfWork } from '../database/unit-of-work';
import { SecretsService } from '../secrets/secrets.service';
import { AuthService, CustomerView } from '../auth/auth.service';
import { BridgeService } from '../bridge/bridge.service';
import { KeeperService } from '../keeper/keeper.service';
import { findProperty } from '../properties/property-catalog';
import { AccountWritesService } from '../tenants/account-writes.service';
import { PropertyOverridesService } from '../tenants/property-overrides.service';
import { Account, ApiKeyInfo } from '../tenants/tenant-snapshot';
import { TenantService } from '../tenants/tenant.service';
import { ConfigurationService, ReloadSummary } from '../properties/configuration.service';
import { VisitorRegistryService } from '../registry/visitor-registry.service';
import { effectiveProperties, PropertyView } from './effective-properties';

interface VisitorView {
  readonly accountId: string;
  readonly visitorId: string;
  readonly deviceId: string | null;
  readonly consent: string;
  /** The last recorded consent decision's source (`pantry`, `tcf`, `gcm`), or null (SPEC §15). */
  readonly consentSource: string | null;
  /** The TCF purposes it consented to (never the TC string). */
  readonly consentPurposes: number[];
  readonly consentAt: string | null;
  readonly firstSeen: string;
  readonly lastSeen: string;
  /** The customer this anonymous id is linked to by a login, if any. */
  readonly customerId: string | null;
  /** Cross-domain bridge redemptions that carried this visitor's id. */
  readonly bridges: ReadonlyArray<{
    readonly from: string;
    readonly to: string;
    readonly at: string;
  }>;
  /**
   * Ids a bridge redemption linked to this one: the visitor had this id already and kept it
   * (no identity fixation); `account` is the token's account (this one, or a partner).
   */
  readonly links: ReadonlyArray<{
    readonly account: string;
    readonly visitorId: string;
    readonly from: string;
    readonly to: string;
    readonly at: string;
  }>;
  /** The names of the cookies the keeper holds for this visitor (SPEC §14; never values). */
  readonly keptCookies: readonly string[];
}

/**
 * Admin operations. Each change and its audit entry (never a secret) commit in one unit of
 * work before the answer; then this node's in-memory view is refreshed from the database, so
 * what the answer shows is what was committed.
 */
@Injectable()
export class AdminService implements OnModuleInit, OnModuleDestroy {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly tenants: TenantService,
    private readonly accountWrites: AccountWritesService,
    private readonly overrides: PropertyOverridesService,
    private readonly configuration: ConfigurationService,
    private readonly registry: VisitorRegistryService,
    private readonly audit: AuditService,
    private readonly secrets: SecretsService,
    private readonly feed: ChangeFeed,
    private readonly bridge: BridgeService,
    private readonly auth: AuthService,
    private readonly keeper: KeeperService,
  ) {}

  private subscription?: Subscription;

  listAccounts(): Account[] {
    return this.tenants.list();
  }

  getAccount(id: string): Account {
    return this.tenants.require(id);
  }

  /**
   * Runs a change, writes its audit entry and announces it to the other nodes, in one unit of
   * work: all of it commits, or none.
   */
  private audited<T>(
    announce: Exclude<Change, 'all'>,
    change: (em: EntityManager) => Promise<T>,
    entry: (result: T) => AuditRecord,
  ): Promise<T> {
    return this.uow.transaction(async (em) => {
      const result = await change(em);
      await this.audit.record(em, entry(result));
      await this.feed.announce(em, announce);
      return result;
    });
  }

  /**
   * Another node reloaded its files: so does this one (a validated reload swaps the tenant
   * snapshot by itself, through ConfigurationService.changes).
   */
  onModuleInit(): void {
    this.subscription = this.feed.changes.subscribe((change) => {
      // The reload checks the files against the stored API keys: read them fresh first.
      if (change === 'reload') {
        void this.tenants
          .refresh()
          .catch(() => undefined)
          .then(() => this.configuration.reload());
      }
    });
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }

  async createAccount(actor: string, id: string, name = id, apiKey?: string): Promise<Account> {
    await this.audited(
      'accounts',
      (em) => this.accountWrites.create(em, id, name, apiKey),
      () => ({ actor, action: 'account.create', accountId: id, details: { name } }),
    );
    await this.tenants.refresh();
    return this.tenants.require(id);
  }

  async renameAccount(actor: string, id: string, name: string): Promise<Account> {
    await this.audited(
      'accounts',
      (em) => this.accountWrites.rename(em, id, name),
      () => ({ actor, action: 'account.update', accountId: id, details: { name } }),
    );
    await this.tenants.refresh();
    return this.tenants.require(id);
  }

  async deleteAccount(actor: string, id: string): Promise<void> {
    await this.audited(
      'accounts',
      (em) => this.accountWrites.delete(em, id),
      () => ({ actor, action: 'account.delete', accountId: id }),
    );
    // One new snapshot: without the account, its keys and its overrides; its queued sightings
    // and erasures are forgotten on the way.
    await this.tenants.refresh();
  }

  listKeys(id: string): readonly ApiKeyInfo[] {
    return this.tenants.require(id).apiKeys;
  }

  async createKey(actor: string, id: string, apiKey?: string): Promise<ApiKeyInfo> {
    const key = await this.audited(
      'accounts',
      (em) => this.accountWrites.createKey(em, id, apiKey),
      // API keys are public identifiers (they stand in every page that embeds the snippet).
      (created) => ({ actor, action: 'apikey.create', accountId: id, target: created }),
    );
    await this.tenants.refresh();
    return this.tenants.require(id).apiKeys.find((k) => k.key === key)!;
  }

  async revokeKey(actor: string, id: string, key: string): Promise<void> {
    await this.audited(
      'accounts',
      (em) => this.accountWrites.revokeKey(em, id, key),
      () => ({ actor, action: 'apikey.revoke', accountId: id, target: key }),
    );
    await this.tenants.refresh();
  }

  listProperties(id: string): PropertyView[] {
    const account = this.tenants.require(id);
    return effectiveProperties(
      this.tenants.propertiesOf(id),
      account,
      this.secrets.adminTokenSource === 'environment',
    );
  }

  async setProperty(
    actor: string,
    id: string,
    rawKey: string,
    value: string,
  ): Promise<PropertyView> {
    const key = await this.audited(
      'overrides',
      async (em) => {
        await this.accountWrites.requireIn(em, id);
        return this.overrides.setOverride(em, id, rawKey, value);
      },
      (canonical) => ({
        actor,
        action: 'property.set',
        accountId: id,
        target: canonical,
        // A secret (authentication.assertionSecret) is never written to the audit log.
        details: { value: findProperty(canonical)?.secret ? '(redacted)' : value.trim() },
      }),
    );
    await this.tenants.refresh();
    return this.listProperties(id).find((p) => p.key === key)!;
  }

  async removeProperty(actor: string, id: string, rawKey: string): Promise<void> {
    await this.audited(
      'overrides',
      async (em) => {
        await this.accountWrites.requireIn(em, id);
        const key = await this.overrides.removeOverride(em, id, rawKey);
        if (!key) {
          throw new PantryError(
            ErrorCode.OverrideNotFound,
            `Account "${id}" has no API override of ${rawKey}.`,
          );
        }
        return key;
      },
      (key) => ({ actor, action: 'property.remove', accountId: id, target: key }),
    );
    await this.tenants.refresh();
  }

  async reload(actor: string): Promise<ReloadSummary> {
    // The reload checks the files against the API keys stored: read them fresh first.
    await this.tenants.refresh();
    const result = await this.audited(
      'reload',
      () => Promise.resolve(this.configuration.reload()),
      (reloaded) => ({
        actor,
        action: 'config.reload',
        details: reloaded.ok
          ? { ok: true, ...reloaded.summary }
          : { ok: false, problems: reloaded.problems.length },
      }),
    );
    if (!result.ok) {
      throw new PantryError(
        ErrorCode.InvalidConfiguration,
        `The configuration has ${result.problems.length} problem(s); the last good configuration stays in force.`,
        { problems: result.problems },
      );
    }
    return result.summary;
  }

  async getVisitor(id: string, visitorId: string): Promise<VisitorView> {
    this.tenants.require(id);
    const record = await this.registry.find(id, visitorId);
    if (!record) throw this.visitorNotFound(id);
    const [bridges, links, customerId, keptCookies] = await Promise.all([
      this.bridge.redemptionsOf(id, visitorId),
      this.bridge.linksOf(id, visitorId),
      this.auth.customerOf(id, visitorId),
      this.keeper.names(id, visitorId),
    ]);
    return {
      accountId: record.accountId,
      visitorId: record.visitorId,
      deviceId: record.deviceId,
      consent: record.consent,
      consentSource: record.consentSource ?? null,
      consentPurposes: record.consentPurposes ? record.consentPurposes.split(',').map(Number) : [],
      consentAt: record.consentAt ? new Date(record.consentAt).toISOString() : null,
      firstSeen: new Date(record.firstSeen).toISOString(),
      lastSeen: new Date(record.lastSeen).toISOString(),
      customerId,
      bridges: bridges.map((b) => ({
        from: b.fromOrigin,
        to: b.toOrigin,
        at: new Date(b.at).toISOString(),
      })),
      links: links.map((l) => ({
        account: l.linkedAccountId,
        visitorId: l.linkedVisitorId,
        from: l.fromOrigin,
        to: l.toOrigin,
        at: new Date(l.at).toISOString(),
      })),
      keptCookies,
    };
  }

  async eraseVisitor(actor: string, id: string, visitorId: string): Promise<void> {
    // Sightings still queued are written first, so a visitor seen a moment ago is found.
    await this.registry.flush();
    const ids = await this.audited(
      'erasures',
      async (em) => {
        await this.accountWrites.requireIn(em, id);
        const erased = await this.registry.erase(em, id, visitorId);
        if (!erased) throw this.visitorNotFound(id);
        return erased;
      },
      () => ({ actor, action: 'visitor.erase', accountId: id, target: visitorId }),
    );
    this.registry.markErased(id, ids);
  }

  async getCustomer(id: string, customerId: string): Promise<CustomerView> {
    this.tenants.require(id);
    const customer = await this.auth.customer(id, customerId);
    if (!customer) throw this.customerNotFound(id);
    return customer;
  }

  /** Erases a customer: every linked visitor erased, every session revoked, the links gone. */
  async eraseCustomer(actor: string, id: string, customerId: string): Promise<void> {
    await this.registry.flush();
    const ids = await this.audited(
      'erasures',
      async (em) => {
        await this.accountWrites.requireIn(em, id);
        const erased = await this.auth.eraseCustomer(em, id, customerId);
        if (!erased) throw this.customerNotFound(id);
        return erased;
      },
      // The customer id is the site's own identifier of a person: not repeated in the log.
      () => ({ actor, action: 'customer.erase', accountId: id }),
    );
    this.registry.markErased(id, ids);
  }

  private customerNotFound(id: string): PantryError {
    return new PantryError(ErrorCode.CustomerNotFound, `Account "${id}" has no such customer.`);
  }

  private visitorNotFound(id: string): PantryError {
    return new PantryError(ErrorCode.VisitorNotFound, `Account "${id}" has no such visitor.`);
  }
}
