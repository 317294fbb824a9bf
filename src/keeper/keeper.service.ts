import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { Subscription } from 'rxjs';
import { flushAtShutdown } from '../database/last-flush';
import { UnitOfWork } from '../database/unit-of-work';
import { VisitorRegistryService } from '../registry/visitor-registry.service';
import { KeptCookieEntity } from './kept-cookie.entity';
import { KeptCookieRepository } from './kept-cookie.repository';
import { KEEPER_LIMITS, KeptCookie } from './keeper-adapters';
import type { KeptWrite } from './keeper-decision';

/** Learnt values are written at least this often… */
const FLUSH_INTERVAL_MS = 1_000;
/** …or as soon as this many values are pending. */
const FLUSH_ROWS = 5_000;
/** Values held while the database cannot be written; beyond this, new ones are dropped. */
const MAX_PENDING = 100_000;
/** Visitors whose kept values a node remembers. */
const MAX_CACHED = 100_000;
/**
 * How long what a lookup read counts as all there is. Another node may learn a value for the
 * same visitor meanwhile: a cookie the browser lacks is looked up again after this long (at
 * most one lookup per visitor and node this often, for a setting the page never writes).
 */
export const COMPLETE_FOR_MS = 5_000;

/** What a node knows of one visitor's kept values. */
interface Known {
  /** name → value, newest learnt last. */
  readonly values: Map<string, string>;
  /** Read from the database (with what was learnt since) at `at`: nothing else is stored. */
  complete: boolean;
  at: number;
  /**
   * The last refresh decided for the visitor: its Cookie header and settings, and what was set.
   * The same header again sets the same (its values are learnt already).
   */
  refreshed?: { cookie: string; settings: object; writes: readonly KeptWrite[] };
}

/** A visitor's stored values as name/value pairs (for keptCookiesOf to validate). */
export type StoredValues = ReadonlyArray<readonly [string, string]>;

const keyOf = (accountId: string, visitorId: string) => `${accountId}\u0000${visitorId}`;

/**
 * The cookie keeper's storage (SPEC §14): what each visitor's browser sent of the analytics
 * SDKs' id cookies, kept in the shared database under the visitor's durable id. Values are
 * learnt into a queue written in batches (every second, per 5,000 values, at shutdown), as
 * sightings are, so the request path never waits to learn. A node remembers what it learnt and
 * looked up per visitor: a returning visitor whose browser still holds its cookies costs no
 * database I/O; only a lost cookie (a restore) may wait for one lookup, and what one node learnt
 * another restores from the database.
 */
@Injectable()
export class KeeperService
  implements OnApplicationBootstrap, BeforeApplicationShutdown, OnModuleDestroy
{
  private readonly logger = new Logger(KeeperService.name);
  private pending = new Map<string, KeptCookieEntity>();
  private readonly known = new Map<string, Known>();
  private readonly reading = new Map<string, Promise<StoredValues>>();
  private flushing: Promise<void> = Promise.resolve();
  private busy = false;
  private timer?: NodeJS.Timeout;
  private dropped = 0;
  private subscription?: Subscription;

  constructor(
    private readonly repository: KeptCookieRepository,
    private readonly uow: UnitOfWork,
    private readonly registry: VisitorRegistryService,
  ) {}

  onApplicationBootstrap(): void {
    // An erasure (or an account's deletion) on this node: what was remembered of it goes.
    this.subscription = this.registry.erasures.subscribe((accountId) =>
      this.forgetAccount(accountId),
    );
    this.timer = setInterval(() => {
      if (!this.busy) void this.flush();
    }, FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
    clearInterval(this.timer);
  }

  /**
   * The last flush. The HTTP server is closed before this hook runs (http/close-http-first.ts):
   * no request learns after it.
   */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    const unwritten = await flushAtShutdown(
      () => this.flush(),
      () => this.pending.size,
    );
    if (unwritten > 0) {
      this.logger.error(`${unwritten} kept cookie values could not be written at shutdown`);
    }
  }

  /**
   * The visitor's stored values when this node knows all of them (synchronous: no I/O), else
   * null (lookup answers them).
   */
  storedIfKnown(accountId: string, visitorId: string): StoredValues | null {
    const known = this.known.get(keyOf(accountId, visitorId));
    if (!known?.complete || Date.now() - known.at > COMPLETE_FOR_MS) return null;
    return [...known.values];
  }

  /**
   * What the visitor's last request with this very Cookie header (and these settings) had set
   * by refreshing what it brought, or null: a returning visitor's page views repeat it, and
   * nothing needs parsing, validating or deciding again.
   */
  lastRefresh(
    accountId: string,
    visitorId: string,
    cookie: string,
    settings: object,
  ): readonly KeptWrite[] | null {
    const last = this.known.get(keyOf(accountId, visitorId))?.refreshed;
    return last && last.cookie === cookie && last.settings === settings ? last.writes : null;
  }

  /** Remembers a refresh (what lastRefresh answers for the same header next time). */
  rememberRefresh(
    accountId: string,
    visitorId: string,
    cookie: string,
    settings: object,
    writes: readonly KeptWrite[],
  ): void {
    const known = this.known.get(keyOf(accountId, visitorId));
    if (known) known.refreshed = { cookie, settings, writes };
  }

  /**
   * The visitor's stored values, read from the database (with what this node learnt and has not
   * written yet), and remembered. A failed read answers nothing stored: a page never fails for
   * the keeper.
   */
  lookup(accountId: string, visitorId: string): Promise<StoredValues> {
    // Requests of one visitor at once (a page's parallel loads) share one read.
    const key = keyOf(accountId, visitorId);
    let reading = this.reading.get(key);
    if (!reading) {
      reading = this.read(accountId, visitorId, key).finally(() => this.reading.delete(key));
      this.reading.set(key, reading);
    }
    return reading;
  }

  private async read(accountId: string, visitorId: string, key: string): Promise<StoredValues> {
    let rows: KeptCookieEntity[];
    try {
      rows = await this.repository.find(accountId, visitorId);
    } catch (e) {
      this.logger.warn(`reading kept cookies failed: ${String(e)}`);
      return this.known.has(key) ? [...this.known.get(key)!.values] : [];
    }
    const values = new Map<string, string>();
    // Oldest first, so that what this node learnt since (below) comes last.
    for (const row of rows.reverse()) values.set(row.name, row.value);
    for (const [name, value] of this.known.get(key)?.values ?? []) {
      values.delete(name);
      values.set(name, value);
    }
    bound(values);
    this.remember(key, { values, complete: true, at: Date.now() });
    return [...values];
  }

  /** Queues the values a request brought (or was derived) where they differ from what is known. */
  learn(accountId: string, visitorId: string, cookies: readonly KeptCookie[]): void {
    if (cookies.length === 0) return;
    const key = keyOf(accountId, visitorId);
    let known = this.known.get(key);
    if (!known) {
      known = { values: new Map(), complete: false, at: 0 };
      this.remember(key, known);
    }
    const now = Date.now();
    for (const { name, value } of cookies) {
      if (known.values.get(name) === value) continue;
      known.values.delete(name);
      known.values.set(name, value);
      const pendingKey = `${key}\u0000${name}`;
      if (!this.pending.has(pendingKey) && this.pending.size >= MAX_PENDING) {
        this.dropped++;
        continue;
      }
      this.pending.set(pendingKey, { accountId, visitorId, name, value, updatedAt: now });
      if (this.pending.size === FLUSH_ROWS) void this.flush();
    }
    bound(known.values);
  }

  /**
   * Consent revoked: the visitor's stored values are deleted (after any batch being written,
   * so none comes back) and forgotten; resolves once committed, with what was stored.
   */
  async forget(accountId: string, visitorId: string): Promise<StoredValues> {
    const key = keyOf(accountId, visitorId);
    const stored = await this.lookup(accountId, visitorId);
    const prefix = `${key}\u0000`;
    for (const pendingKey of [...this.pending.keys()]) {
      if (pendingKey.startsWith(prefix)) this.pending.delete(pendingKey);
    }
    const deleted = this.flushing.then(() => this.repository.delete(accountId, visitorId));
    this.flushing = deleted.catch(() => undefined);
    await deleted;
    this.remember(key, { values: new Map(), complete: true, at: Date.now() });
    return stored;
  }

  /** The names of a visitor's kept cookies (the admin's visitor record: never values). */
  async names(accountId: string, visitorId: string): Promise<string[]> {
    await this.flush();
    const rows = await this.repository.find(accountId, visitorId);
    return rows.map((r) => r.name).sort();
  }

  /** Writes what is pending; one flush at a time; a failed batch goes back to the queue. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.dropped > 0) {
        this.logger.warn(`${this.dropped} kept cookie values dropped: the database was away`);
        this.dropped = 0;
      }
      if (this.pending.size === 0) return;
      const batch = this.pending;
      this.pending = new Map();
      this.busy = true;
      try {
        await this.uow.transaction((em) => this.repository.upsertMany(em, [...batch.values()]));
      } catch (e) {
        this.logger.warn(
          `writing ${batch.size} kept cookie values failed, will retry: ${String(e)}`,
        );
        for (const [key, row] of batch) {
          if (this.pending.has(key)) continue;
          if (this.pending.size < MAX_PENDING) this.pending.set(key, row);
          else this.dropped++;
        }
      } finally {
        this.busy = false;
      }
    });
    return this.flushing;
  }

  private remember(key: string, known: Known): void {
    this.known.delete(key);
    if (this.known.size >= MAX_CACHED) {
      this.known.delete(this.known.keys().next().value!);
    }
    this.known.set(key, known);
  }

  private forgetAccount(accountId: string): void {
    const prefix = `${accountId}\u0000`;
    for (const key of [...this.known.keys()]) if (key.startsWith(prefix)) this.known.delete(key);
    for (const key of [...this.pending.keys()])
      if (key.startsWith(prefix)) this.pending.delete(key);
  }
}

/** At most KEEPER_LIMITS.cookies values, the newest. */
function bound(values: Map<string, string>): void {
  while (values.size > KEEPER_LIMITS.cookies) values.delete(values.keys().next().value!);
}
