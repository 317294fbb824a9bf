import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { Observable, Subject } from 'rxjs';
import { DataSource, EntityManager } from 'typeorm';
import { describeDatabaseError } from './database-errors';

/** What changed in the shared database; `all` after a (re)connection: re-read everything. */
export type Change = 'accounts' | 'overrides' | 'erasures' | 'sessions' | 'reload' | 'all';

const CHANNEL = 'pantry_changes';
const KINDS = new Set<Change>(['accounts', 'overrides', 'erasures', 'sessions', 'reload', 'all']);
const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 5_000;

/**
 * How nodes sharing a database learn of each other's admin writes. On PostgreSQL a change is
 * announced with `pg_notify` inside the writing transaction (delivered when, and only if, it
 * commits) and heard on one dedicated connection per node, outside the pool, which LISTENs and
 * reconnects after any failure, then asks every reader to re-read everything (notifications
 * sent while it was away are lost). The periodic re-reads of each service stay as a backstop.
 * On SQLite (one node) announcing does nothing.
 */
@Injectable()
export class ChangeFeed implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ChangeFeed.name);
  private readonly subject = new Subject<Change>();
  private readonly postgresUrl: string | null;
  private client: Client | null = null;
  private listening = false;
  private stopped = false;
  private retryMs = RECONNECT_MIN_MS;
  private retryTimer?: NodeJS.Timeout;
  /** This node, in every announcement: its own echoes are not replayed to it. */
  private readonly node = randomBytes(6).toString('base64url');

  /** Changes announced by any node (this one included). */
  readonly changes: Observable<Change> = this.subject.asObservable();

  /** Listens on the database the application's DataSource was opened on. */
  constructor(dataSource: DataSource) {
    const options = dataSource.options;
    this.postgresUrl = options.type === 'postgres' ? (options.url ?? null) : null;
  }

  /** Whether this node has a notification connection to keep (PostgreSQL). */
  get listens(): boolean {
    return this.postgresUrl !== null;
  }

  /** Whether the notification connection is up (always true where there is none to have). */
  get healthy(): boolean {
    return this.postgresUrl === null || this.listening;
  }

  /** Announces a change inside the caller's unit of work; sent when it commits. */
  async announce(em: EntityManager, change: Exclude<Change, 'all'>): Promise<void> {
    if (em.connection.options.type !== 'postgres') return;
    await em.query('SELECT pg_notify($1, $2)', [CHANNEL, `${change}:${this.node}`]);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.postgresUrl) await this.connect();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.subject.complete();
    await this.client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client({
      connectionString: this.postgresUrl!,
      connectionTimeoutMillis: 5_000,
    });
    this.client = client;
    client.on('notification', (message) => {
      // `<change>:<node>`: this node applied its own changes already (and a reload twice
      // would be reported twice).
      const [change, node] = (message.payload ?? '').split(':') as [Change, string];
      if (KINDS.has(change) && node !== this.node) this.subject.next(change);
    });
    client.on('error', (e) => this.lost(client, e));
    client.on('end', () => this.lost(client, null));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      if (this.retryMs !== RECONNECT_MIN_MS) this.logger.log('listening for changes again');
      this.listening = true;
      this.retryMs = RECONNECT_MIN_MS;
      // Whatever was announced while nobody listened is lost: re-read everything.
      this.subject.next('all');
    } catch (e) {
      this.lost(client, e);
    }
  }

  private lost(client: Client, error: unknown): void {
    if (client !== this.client || this.stopped) return;
    this.client = null;
    if (this.listening) {
      this.logger.warn(
        `the change notification connection was lost${error ? ` (${describeDatabaseError(error)})` : ''}; reconnecting`,
      );
    }
    this.listening = false;
    client.removeAllListeners('notification');
    client.end().catch(() => undefined);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), this.retryMs);
    this.retryTimer.unref();
    this.retryMs = Math.min(this.retryMs * 2, RECONNECT_MAX_MS);
  }
}
