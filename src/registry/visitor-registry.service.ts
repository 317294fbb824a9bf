import {
  BeforeApplicationShutdown,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  Optional,
} from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Observable, Subject, Subscription } from 'rxjs';
import { ChangeFeed } from '../database/change-feed';
import { Erasure } from '../database/erasure';
import { flushAtShutdown } from '../database/last-flush';
import { UnitOfWork } from '../database/unit-of-work';
import { MetricsService } from '../metrics/metrics.service';
import { VisitorEntity } from './visitor.entity';
import { VisitorRepository } from './visitor.repository';

import type { ConsentState } from '../vocabulary/visitor-answers';

/** Pending sightings are written at least this often… */
const FLUSH_INTERVAL_MS = 1_000;
/** …or as soon as this many visitors are pending. */
const FLUSH_BATCH = 5_000;
/**
 * Visitors held while the database cannot be written (an outage): beyond this, sightings of
 * new visitors are counted and dropped (about 200 bytes each: the bound is tens of MiB).
 */
export const MAX_PENDING = 200_000;
/** How often erasures made by other nodes are picked up. */
const ERASED_REFRESH_MS = 5_000;

/**
 * The visitor registry. Sightings are queued in memory and written in batches, so identify
 * never waits for the database; the queue is flushed on shutdown. Erased ids are kept in
 * memory, refreshed from the shared database, so refusing them costs a set lookup.
 */
@Injectable()
export class VisitorRegistryService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(VisitorRegistryService.name);
  private pending = new Map<string, VisitorEntity>();
  private flushing: Promise<void> = Promise.resolve();
  private flushTimer?: NodeJS.Timeout;
  private erasedTimer?: NodeJS.Timeout;
  private readonly erased = new Map<string, Set<string>>();
  private erasedSince = 0;
  private busy = false;
  /** Sightings in the batch being written. */
  private writing = 0;
  private dropped = 0;
  private droppedReported = 0;
  private readonly applied = new Subject<string>();

  /**
   * Accounts whose erasures (or deletion) this node has just applied, once committed: caches
   * of what was erased are to be dropped (AuthService's sessions).
   */
  readonly erasures: Observable<string> = this.applied.asObservable();

  constructor(
    private readonly repository: VisitorRepository,
    private readonly uow: UnitOfWork,
    private readonly feed: ChangeFeed,
    private readonly erasure: Erasure,
    @Optional() private readonly metrics?: MetricsService,
  ) {}

  private subscription?: Subscription;

  async onApplicationBootstrap(): Promise<void> {
    await this.refreshErased();
    this.subscription = this.feed.changes.subscribe((change) => {
      if (change !== 'erasures' && change !== 'all') return;
      this.refreshErased().catch((e: unknown) =>
        this.logger.warn(`refreshing erased visitors failed: ${String(e)}`),
      );
    });
    // A flush still running (a slow or absent database) is not queued behind again.
    this.flushTimer = setInterval(() => {
      if (!this.busy) void this.flush();
    }, FLUSH_INTERVAL_MS);
    this.flushTimer.unref();
    this.erasedTimer = setInterval(() => {
      this.refreshErased().catch((e: unknown) =>
        this.logger.warn(`refreshing erased visitors failed: ${String(e)}`),
      );
    }, ERASED_REFRESH_MS);
    this.erasedTimer.unref();
  }

  /**
   * The last flush. The HTTP server is closed before this hook runs (http/close-http-first.ts):
   * no sighting can arrive after it.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.subscription?.unsubscribe();
    clearInterval(this.flushTimer);
    clearInterval(this.erasedTimer);
    const unwritten = await flushAtShutdown(
      () => this.flush(),
      () => this.pending.size,
    );
    if (unwritten > 0) {
      this.logger.error(`${unwritten} visitor sightings could not be written at shutdown`);
    }
  }

  /** Queues a sighting; never touches the database on the caller's path. */
  record(
    accountId: string,
    visitorId: string,
    deviceId: string | null,
    consent: ConsentState,
    decided?: ConsentRecord,
  ): void {
    const now = Date.now();
    const key = `${accountId}\u0000${visitorId}`;
    const known = this.pending.get(key);
    if (known) {
      known.lastSeen = now;
      known.deviceId = deviceId ?? known.deviceId;
      known.consent = consent;
      if (decided) decide(known, decided, now);
    } else if (this.pending.size >= MAX_PENDING) {
      this.dropped++;
    } else {
      this.pending.set(key, {
        accountId,
        visitorId,
        deviceId,
        consent,
        firstSeen: now,
        lastSeen: now,
        ...(decided ? decide({}, decided, now) : {}),
      });
      // Once per batch, not once per visitor beyond it (the flush swaps the queue out).
      if (this.pending.size === FLUSH_BATCH) void this.flush();
    }
  }

  /** Writes what is pending; one flush at a time; a failed batch goes back to the queue. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      this.reportDropped();
      if (this.pending.size === 0) return;
      const batch = this.pending;
      this.pending = new Map();
      this.busy = true;
      this.writing = batch.size;
      const started = performance.now();
      try {
        await this.uow.transaction((em) => this.repository.upsertMany(em, [...batch.values()]));
        this.metrics?.flushLatency.observe({ result: 'ok' }, (performance.now() - started) / 1000);
      } catch (e) {
        this.metrics?.flushLatency.observe(
          { result: 'failed' },
          (performance.now() - started) / 1000,
        );
        this.logger.warn(
          `writing ${batch.size} visitor sightings failed, will retry: ${String(e)}`,
        );
        for (const [key, row] of batch) {
          const newer = this.pending.get(key);
          if (newer) this.pending.set(key, { ...newer, firstSeen: row.firstSeen });
          else if (this.pending.size < MAX_PENDING) this.pending.set(key, row);
          else this.dropped++;
        }
      } finally {
        this.busy = false;
        this.writing = 0;
        this.metrics?.queueDepth.set(this.pending.size);
        this.metrics?.droppedSightings.set(this.dropped);
      }
    });
    return this.flushing;
  }

  /** Sightings dropped because the queue was full (the database was away too long). */
  get droppedCount(): number {
    return this.dropped;
  }

  private reportDropped(): void {
    if (this.dropped === this.droppedReported) return;
    this.logger.warn(
      `${this.dropped - this.droppedReported} visitor sightings dropped: ${MAX_PENDING} were already waiting for the database`,
    );
    this.droppedReported = this.dropped;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Sightings not yet in the database: queued, or in the batch being written. */
  get unwrittenCount(): number {
    return this.pending.size + this.writing;
  }

  /** An account was deleted: its queued sightings and erased ids go (its rows went with it). */
  forgetAccount(accountId: string): void {
    this.erased.delete(accountId);
    this.applied.next(accountId);
    const prefix = `${accountId}\u0000`;
    for (const key of [...this.pending.keys()])
      if (key.startsWith(prefix)) this.pending.delete(key);
  }

  isErased(accountId: string, id: string): boolean {
    return this.erased.get(accountId)?.has(id) ?? false;
  }

  /** Marks ids erased in memory at once (the database write is the caller's). */
  markErased(accountId: string, ids: readonly string[]): void {
    const set = this.erased.get(accountId) ?? new Set<string>();
    ids.forEach((id) => set.add(id));
    this.erased.set(accountId, set);
    for (const id of ids) this.pending.delete(`${accountId}\u0000${id}`);
    this.applied.next(accountId);
  }

  async refreshErased(): Promise<void> {
    const rows = await this.repository.findErasedSince(this.erasedSince);
    for (const row of rows) {
      this.markErased(row.accountId, [row.id]);
      this.erasedSince = Math.max(this.erasedSince, row.erasedAt);
    }
  }

  /** A visitor's record, with what is still queued written first. */
  async find(accountId: string, visitorId: string): Promise<VisitorEntity | null> {
    await this.flush();
    return this.repository.find(accountId, visitorId);
  }

  /**
   * Erases a visitor inside the caller's unit of work: every row of it, in every table a
   * feature registered (database/erasure.ts), and its visitor and device ids marked erased.
   * Returns the ids, or null when the visitor has no record. Once the unit has committed, the
   * caller applies them with markErased (the other nodes pick them up within the refresh
   * interval). The caller flushes first, so a visitor seen a moment ago is found.
   */
  async erase(em: EntityManager, accountId: string, visitorId: string): Promise<string[] | null> {
    const record = await this.repository.findIn(em, accountId, visitorId);
    if (!record) return null;
    return this.eraseIds(em, accountId, [visitorId, ...(record.deviceId ? [record.deviceId] : [])]);
  }

  /**
   * Erases a visitor id (the first of `ids`) that may have no record (yet: its sightings are
   * written behind the request path), in the caller's unit of work; all of `ids` are marked
   * erased. Returns them.
   */
  async eraseIds(em: EntityManager, accountId: string, ids: string[]): Promise<string[]> {
    await this.erasure.eraseVisitor(em, accountId, ids[0]);
    await this.repository.insertErased(em, accountId, ids);
    return ids;
  }
}

/** A consent decision a request recorded (SPEC §15): its source and the purposes it covered. */
export interface ConsentRecord {
  readonly source: string;
  readonly purposes: readonly number[];
}

/** Sets a sighting's recorded consent (source, purposes as a comma list, when). */
function decide<T extends Partial<VisitorEntity>>(row: T, decided: ConsentRecord, at: number): T {
  row.consentSource = decided.source;
  row.consentPurposes = decided.purposes.join(',');
  row.consentAt = at;
  return row;
}
