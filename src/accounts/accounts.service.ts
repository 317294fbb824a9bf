import {
  HttpStatus,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { PantryException } from '../common/pantry.exception';
import { Subscription } from 'rxjs';
import { ChangeFeed } from '../database/change-feed';
import { isUniqueViolation } from '../database/database-errors';
import { VisitorRegistryService } from '../registry/visitor-registry.service';
import { AccountPropertiesService } from '../properties/account-properties.service';
import { ConfigurationService } from '../properties/configuration.service';
import { AccountRepository } from './account.repository';

export type AccountSource = 'file' | 'api';

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

/** How often accounts and keys created on other nodes are picked up. */
export const ACCOUNTS_REFRESH_MS = 5_000;

interface StoredAccount {
  readonly id: string;
  readonly name: string;
}
interface StoredKey {
  readonly key: string;
  readonly accountId: string;
  readonly createdAt: Date;
}

const notFound = (id: string) =>
  new PantryException(HttpStatus.NOT_FOUND, 'account_not_found', `No account "${id}".`);

/**
 * Accounts from files and from the database, and their API keys. Everything is held in memory
 * (refreshed from the shared database), so resolving an API key on the request path is a map
 * lookup; changes made here apply on this node at once.
 */
@Injectable()
export class AccountsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AccountsService.name);
  private stored: { accounts: StoredAccount[]; keys: StoredKey[] } = { accounts: [], keys: [] };
  private storedFingerprint = '';
  private accounts = new Map<string, Account>();
  private keyIndex = new Map<string, string>();
  private builtFor = -1;
  private dirty = true;
  private timer?: NodeJS.Timeout;
  private refreshesStarted = 0;
  private refreshApplied = 0;
  private storedVersion = 0;

  private subscription?: Subscription;

  constructor(
    private readonly configuration: ConfigurationService,
    private readonly properties: AccountPropertiesService,
    private readonly repository: AccountRepository,
    private readonly registry: VisitorRegistryService,
    private readonly feed: ChangeFeed,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.refresh();
    const refresh = () =>
      this.refresh().catch((e: unknown) =>
        this.logger.warn(`refreshing accounts failed: ${String(e)}`),
      );
    // Other nodes' changes: at once when announced, and every few seconds as a backstop.
    this.subscription = this.feed.changes.subscribe((change) => {
      if (change === 'accounts' || change === 'all') void refresh();
    });
    this.timer = setInterval(() => void refresh(), ACCOUNTS_REFRESH_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    this.subscription?.unsubscribe();
  }

  /**
   * Re-reads API accounts and keys from the shared database. Refreshes may overlap (a write's
   * and the timer's): one that started earlier never overwrites what a later one read.
   */
  async refresh(): Promise<void> {
    const started = ++this.refreshesStarted;
    const [accounts, keys] = await Promise.all([
      this.repository.findAllAccounts(),
      this.repository.findAllKeys(),
    ]);
    if (started < this.refreshApplied) return;
    this.refreshApplied = started;
    const fingerprint = JSON.stringify([
      accounts.map((a) => [a.id, a.name]),
      keys.map((k) => [k.key, k.accountId]),
    ]);
    if (fingerprint === this.storedFingerprint) return;
    // An API account deleted (here or on another node): what this node still holds of it goes.
    const kept = new Set(accounts.map((a) => a.id));
    for (const gone of this.stored.accounts.filter((a) => !kept.has(a.id))) {
      if (!this.configuration.configuration.accounts.has(gone.id)) {
        this.registry.forgetAccount(gone.id);
      }
    }
    this.stored = {
      accounts: accounts.map((a) => ({ id: a.id, name: a.name })),
      keys: keys.map((k) => ({ key: k.key, accountId: k.accountId, createdAt: k.createdAt })),
    };
    this.storedFingerprint = fingerprint;
    this.dirty = true;
    this.storedVersion++;
  }

  /** Changes whenever the API accounts or keys read from the database change. */
  get version(): number {
    return this.storedVersion;
  }

  /** Rebuilds the in-memory view when files or database rows changed. */
  private view(): Map<string, Account> {
    if (!this.dirty && this.builtFor === this.properties.version) return this.accounts;
    const accounts = new Map<string, Account>();
    const keyIndex = new Map<string, string>();
    const keysOf = new Map<string, ApiKeyInfo[]>();
    const addKey = (accountId: string, info: ApiKeyInfo) => {
      const owner = keyIndex.get(info.key);
      if (owner !== undefined) {
        this.logger.warn(`API key of account ${accountId} is already used by ${owner}; ignored`);
        return;
      }
      keyIndex.set(info.key, accountId);
      keysOf.set(accountId, [...(keysOf.get(accountId) ?? []), info]);
    };
    const files = this.configuration.configuration.accounts;
    for (const a of files.values()) {
      a.apiKeys.forEach((key) => addKey(a.id, { key, source: 'file', createdAt: null }));
    }
    for (const a of this.stored.accounts) {
      if (files.has(a.id)) {
        this.logger.warn(`account ${a.id} is defined by a file and in the database; the file wins`);
      }
    }
    const ids = new Set([...files.keys(), ...this.stored.accounts.map((a) => a.id)]);
    for (const k of this.stored.keys) {
      if (ids.has(k.accountId)) {
        addKey(k.accountId, { key: k.key, source: 'api', createdAt: k.createdAt.toISOString() });
      }
    }
    for (const a of files.values()) {
      accounts.set(a.id, {
        id: a.id,
        name: a.name,
        source: 'file',
        file: a.file,
        apiKeys: keysOf.get(a.id) ?? [],
      });
    }
    for (const a of this.stored.accounts) {
      if (!files.has(a.id)) {
        accounts.set(a.id, {
          id: a.id,
          name: a.name,
          source: 'api',
          apiKeys: keysOf.get(a.id) ?? [],
        });
      }
    }
    this.accounts = new Map([...accounts].sort(([a], [b]) => (a < b ? -1 : 1)));
    this.keyIndex = keyIndex;
    this.builtFor = this.properties.version;
    this.dirty = false;
    return this.accounts;
  }

  list(): Account[] {
    return [...this.view().values()];
  }

  count(): number {
    return this.view().size;
  }

  get(id: string): Account | null {
    return this.view().get(id) ?? null;
  }

  /** The account, or a 404. */
  require(id: string): Account {
    const account = this.get(id);
    if (!account) throw notFound(id);
    return account;
  }

  /** The account id an API key belongs to, or null. */
  accountForApiKey(apiKey: string): string | null {
    this.view();
    return this.keyIndex.get(apiKey) ?? null;
  }

  private newKey(): string {
    for (;;) {
      const key = randomBytes(16).toString('base64url');
      if (this.accountForApiKey(key) === null) return key;
    }
  }

  /** The account if it exists (a file, or a row seen by this unit of work), else a 404. */
  async requireIn(em: EntityManager, id: string): Promise<void> {
    if (this.configuration.configuration.accounts.has(id)) return;
    if (!(await this.repository.exists(em, id))) throw notFound(id);
  }

  /**
   * Creates an API account with a first key, in the caller's unit of work. Whether the id is
   * taken is decided by the database's primary key (409), not by a read before the write;
   * only accounts defined by files, which are not in the database, are checked here.
   */
  async create(em: EntityManager, id: string, name: string): Promise<void> {
    const file = this.configuration.configuration.accounts.get(id);
    if (file) {
      throw new PantryException(
        HttpStatus.CONFLICT,
        'account_exists',
        `Account "${id}" already exists (defined by ${file.file}).`,
      );
    }
    try {
      await this.repository.insertAccount(em, id, name, this.newKey());
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      throw new PantryException(
        HttpStatus.CONFLICT,
        'account_exists',
        `Account "${id}" already exists.`,
      );
    }
  }

  private refuseFileAccount(id: string, action: string): void {
    const file = this.configuration.configuration.accounts.get(id);
    if (file) {
      throw new PantryException(
        HttpStatus.CONFLICT,
        'account_defined_by_file',
        `Account "${id}" is defined by ${file.file}; ${action} it there.`,
      );
    }
  }

  async rename(em: EntityManager, id: string, name: string): Promise<void> {
    this.refuseFileAccount(id, 'change');
    if (!(await this.repository.updateAccount(em, id, name))) throw notFound(id);
  }

  async delete(em: EntityManager, id: string): Promise<void> {
    this.refuseFileAccount(id, 'remove');
    if (!(await this.repository.deleteAccount(em, id))) throw notFound(id);
  }

  /** Adds a generated key to an account; returns it. */
  async createKey(em: EntityManager, accountId: string): Promise<string> {
    await this.requireIn(em, accountId);
    const key = this.newKey();
    await this.repository.insertKey(em, accountId, key);
    return key;
  }

  async revokeKey(em: EntityManager, accountId: string, key: string): Promise<void> {
    await this.requireIn(em, accountId);
    const file = this.configuration.configuration.accounts.get(accountId);
    if (file?.apiKeys.includes(key)) {
      throw new PantryException(
        HttpStatus.CONFLICT,
        'api_key_defined_by_file',
        `This API key is listed in ${file.file}; remove it there.`,
      );
    }
    if (!(await this.repository.deleteKey(em, accountId, key))) {
      throw new PantryException(
        HttpStatus.NOT_FOUND,
        'api_key_not_found',
        `Account "${accountId}" has no such API key.`,
      );
    }
  }
}
