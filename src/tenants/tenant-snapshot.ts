import { memoised } from '../common/memo';
import { buildCookiePlan, CookiePlan, ServerCookieSettings } from '../cookies/cookie-plan';
import { OriginMatcher } from '../vocabulary/origin-matcher';
import {
  ConfigProblem,
  Configuration,
  layered,
  parsePropertyValue,
  PropertyOrigin,
  ResolvedProperties,
} from '../properties/configuration';
import { findProperty, PropertyKey } from '../properties/property-catalog';
import { quote } from '../properties/property-values';

type AccountSource = 'file' | 'api';

export interface ApiKeyInfo {
  readonly key: string;
  readonly source: AccountSource;
  readonly createdAt: string | null;
}

export interface Account {
  readonly id: string;
  readonly name: string;
  readonly source: AccountSource;
  /** The file defining a file account. */
  readonly file?: string;
  readonly apiKeys: readonly ApiKeyInfo[];
}

/** What the shared database holds about tenants, as last read. */
export interface StoredTenants {
  readonly accounts: ReadonlyArray<{ readonly id: string; readonly name: string }>;
  readonly keys: ReadonlyArray<{
    readonly key: string;
    readonly accountId: string;
    readonly createdAt: Date;
  }>;
  /** accountId → canonical key → raw value. */
  readonly overrides: ReadonlyMap<string, ReadonlyMap<PropertyKey, string>>;
}

export const NO_STORED_TENANTS: StoredTenants = { accounts: [], keys: [], overrides: new Map() };

/**
 * StoredTenants from the rows of the accounts, api_keys and property_overrides tables; an
 * override whose key the catalog no longer has (removed since it was stored) is left out.
 */
export function toStoredTenants(
  accounts: ReadonlyArray<{ readonly id: string; readonly name: string }>,
  keys: ReadonlyArray<{
    readonly key: string;
    readonly accountId: string;
    readonly createdAt: Date | string;
  }>,
  overrides: ReadonlyArray<{
    readonly accountId: string;
    readonly key: string;
    readonly value: string;
  }>,
): StoredTenants {
  const byAccount = new Map<string, Map<PropertyKey, string>>();
  for (const row of overrides) {
    const entry = findProperty(row.key);
    if (!entry) continue;
    const forAccount = byAccount.get(row.accountId) ?? new Map<PropertyKey, string>();
    forAccount.set(entry.key, row.value);
    byAccount.set(row.accountId, forAccount);
  }
  return {
    accounts: accounts.map((a) => ({ id: a.id, name: a.name })),
    keys: keys.map((k) => ({
      key: k.key,
      accountId: k.accountId,
      createdAt: new Date(k.createdAt),
    })),
    overrides: byAccount,
  };
}

/**
 * API keys an account file lists that the database already gives to another account: one key,
 * two accounts would hand one account's traffic to the other, so the files are refused (at
 * start, at a reload, by `pantry check`) and the stored key keeps answering for its account.
 * A key the database gives to the file's own account is no conflict.
 */
export function apiKeyConflicts(
  configuration: Configuration,
  stored: { readonly keys: ReadonlyArray<{ readonly key: string; readonly accountId: string }> },
): ConfigProblem[] {
  if (stored.keys.length === 0) return [];
  const owners = new Map(stored.keys.map((k) => [k.key, k.accountId]));
  const problems: ConfigProblem[] = [];
  for (const account of configuration.accounts.values()) {
    for (const key of account.apiKeys) {
      const owner = owners.get(key);
      if (owner === undefined || owner === account.id) continue;
      problems.push({
        file: account.file,
        line: account.properties.origins['account.apiKeys'].line ?? 1,
        key: 'account.apiKeys',
        message: `API key ${quote(key)} is already used by account ${quote(owner)} (created through the admin API); API keys must be unique across accounts: give this account its own key, or revoke it there first`,
      });
    }
  }
  return problems;
}

/**
 * A site served in document or edge mode: the account whose `proxy.hosts` names a host, and its
 * upstream (null: an edge-only site, whose documents Pantry never forwards).
 */
export interface ProxiedSite {
  readonly accountId: string;
  readonly upstream: string | null;
}

/** Plans kept per snapshot (one per API key in use; bounded against junk keys). */
const MAX_PLANS = 100_000;

/**
 * Everything Pantry knows about its tenants at one moment, immutable: the account files, the
 * accounts, keys and property overrides stored in the database, and what derives from them,
 * computed once and memoised on the snapshot that computed it (accounts and the API-key
 * index eagerly; effective properties, cookie plans, the any-account origin allowlist and the
 * document-mode hosts on first use). TenantService builds a new one and swaps it in whenever
 * any input changes; readers take `current` and never see a half-updated state.
 */
export class TenantSnapshot {
  readonly accounts: ReadonlyMap<string, Account>;
  private readonly keyIndex: ReadonlyMap<string, string>;
  private readonly properties = new Map<string, ResolvedProperties>();
  private readonly plans = new Map<string, CookiePlan>();
  private origins?: OriginMatcher;
  private sites?: ReadonlyMap<string, ProxiedSite>;

  constructor(
    readonly configuration: Configuration,
    readonly stored: StoredTenants,
    private readonly server: ServerCookieSettings,
    private readonly warn: (message: string) => void = () => undefined,
    /** Who had each API key before: a key two accounts claim stays with the one that had it. */
    previousOwners: ReadonlyMap<string, string> = new Map(),
  ) {
    const { accounts, keyIndex } = this.buildAccounts(previousOwners);
    this.accounts = accounts;
    this.keyIndex = keyIndex;
  }

  /** The same stored state over another configuration (the files were reloaded). */
  withConfiguration(configuration: Configuration): TenantSnapshot {
    return new TenantSnapshot(configuration, this.stored, this.server, this.warn, this.keyIndex);
  }

  /** The same configuration over another stored state (the database changed). */
  withStored(stored: StoredTenants): TenantSnapshot {
    return new TenantSnapshot(this.configuration, stored, this.server, this.warn, this.keyIndex);
  }

  account(id: string): Account | null {
    return this.accounts.get(id) ?? null;
  }

  /** The account an API key belongs to, or null. */
  accountForApiKey(apiKey: string): string | null {
    return this.keyIndex.get(apiKey) ?? null;
  }

  /**
   * Effective properties: default < application.properties < account file < API override (an
   * API account sits on the application defaults).
   */
  propertiesOf(accountId: string): ResolvedProperties {
    let resolved = this.properties.get(accountId);
    if (!resolved) {
      const base = this.configuration.accounts.get(accountId)?.properties ?? this.configuration.app;
      resolved = this.applyOverrides(base, this.stored.overrides.get(accountId));
      this.properties.set(accountId, resolved);
    }
    return resolved;
  }

  /** The cookie plan of an account as reached through one of its API keys. */
  plan(accountId: string, apiKey: string): CookiePlan {
    return memoised(
      this.plans,
      `${accountId}\u0000${apiKey}`,
      () => buildCookiePlan(accountId, apiKey, this.propertiesOf(accountId).values, this.server),
      MAX_PLANS,
    );
  }

  /** Origins any account allows (files and API alike): for preflights without an API key. */
  anyAccountOrigins(): OriginMatcher {
    if (!this.origins) {
      const all = new Set<string>();
      for (const id of this.accounts.keys()) {
        this.propertiesOf(id).values['server.cors.allowedOrigins'].forEach((o) => all.add(o));
      }
      this.origins = new OriginMatcher([...all]);
    }
    return this.origins;
  }

  /** Document and edge mode: host → site (hosts are validated unique across account files). */
  proxiedSites(): ReadonlyMap<string, ProxiedSite> {
    if (!this.sites) {
      const sites = new Map<string, ProxiedSite>();
      for (const account of this.configuration.accounts.values()) {
        const upstream = account.properties.values['proxy.upstream'];
        for (const host of account.properties.values['proxy.hosts']) {
          sites.set(host, { accountId: account.id, upstream });
        }
      }
      this.sites = sites;
    }
    return this.sites;
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
        this.warn(`ignoring stored override of ${key}: ${parsed ? parsed.message : 'unknown'}`);
        continue;
      }
      own.push([key, parsed.value, { source: 'api', raw }]);
    }
    return layered(base, own);
  }

  private buildAccounts(previousOwners: ReadonlyMap<string, string>): {
    accounts: Map<string, Account>;
    keyIndex: Map<string, string>;
  } {
    const files = this.configuration.accounts;
    const keyIndex = new Map<string, string>();
    const keysOf = new Map<string, ApiKeyInfo[]>();
    const addKey = (accountId: string, info: ApiKeyInfo) => {
      const owner = keyIndex.get(info.key);
      if (owner === accountId) return;
      if (owner !== undefined) {
        // Refused at start and reload (apiKeyConflicts) and by the admin API; only writes that
        // crossed on two nodes meet here. The account that answered for the key keeps it: never
        // a takeover (files are read first, so without this a file would always win).
        const keeper = previousOwners.get(info.key) === accountId ? accountId : owner;
        const other = keeper === owner ? accountId : owner;
        this.warn(
          `an API key of account ${other} is already used by account ${keeper}; it keeps answering for ${keeper} (API keys must be unique across accounts)`,
        );
        if (keeper === owner) return;
        keysOf.set(
          owner,
          (keysOf.get(owner) ?? []).filter((k) => k.key !== info.key),
        );
      }
      keyIndex.set(info.key, accountId);
      const list = keysOf.get(accountId);
      if (list) list.push(info);
      else keysOf.set(accountId, [info]);
    };
    for (const a of files.values()) {
      a.apiKeys.forEach((key) => addKey(a.id, { key, source: 'file', createdAt: null }));
    }
    const ids = new Set(files.keys());
    for (const a of this.stored.accounts) {
      if (files.has(a.id)) {
        this.warn(`account ${a.id} is defined by a file and in the database; the file wins`);
      }
      ids.add(a.id);
    }
    for (const k of this.stored.keys) {
      if (ids.has(k.accountId)) {
        addKey(k.accountId, { key: k.key, source: 'api', createdAt: k.createdAt.toISOString() });
      }
    }
    const accounts: Account[] = [];
    for (const a of files.values()) {
      accounts.push({
        id: a.id,
        name: a.name,
        source: 'file',
        file: a.file,
        apiKeys: keysOf.get(a.id) ?? [],
      });
    }
    for (const a of this.stored.accounts) {
      if (files.has(a.id)) continue;
      accounts.push({ id: a.id, name: a.name, source: 'api', apiKeys: keysOf.get(a.id) ?? [] });
    }
    accounts.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return { accounts: new Map(accounts.map((a) => [a.id, a])), keyIndex };
  }
}
