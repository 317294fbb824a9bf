import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { Subscription } from 'rxjs';
import { EntityManager, In, IsNull } from 'typeorm';
import { memoised } from '../common/memo';
import { ChangeFeed } from '../database/change-feed';
import { isUniqueViolation } from '../database/database-errors';
import { issueOnce } from '../database/consume-once';
import { UnitOfWork } from '../database/unit-of-work';
import { VisitorRegistryService } from '../registry/visitor-registry.service';
import { SecretsService } from '../secrets/secrets.service';
import { AuthSessionEntity, CustomerLinkEntity } from './auth.entities';
import { decryptAuthsession, encryptAuthsession } from './authsession-cookie';
import { decideLoginLinks } from './linking';
import { assertionReused } from './login-refusal';

/** A valid login session, as identify needs it. */
interface SessionInfo {
  readonly customerId: string;
  readonly visitorId: string;
}

/** The authsession values a request carries that decrypt, with their session ids. */
interface SessionCandidate {
  readonly sessionId: string;
  readonly value: string;
}

export interface CustomerView {
  readonly customerId: string;
  readonly visitors: Array<{ visitorId: string; linkedAt: string; lastSeen: string }>;
  readonly sessions: number;
}

const ASSERTION_PURPOSE = 'assertion';
const LEEWAY_MS = 60_000;
/** Sessions kept in memory per node (refreshed from the database on a miss). */
const MAX_CACHED_SESSIONS = 50_000;

/**
 * Known visitors (SPEC §11): login sessions behind the encrypted authsession cookie, and the
 * links between anonymous visitor ids and customers, all in the shared database. The cookie
 * carries a session id only; the customer is found here. Sessions a node has looked up are
 * cached and forgotten when any node revokes one (announced as `sessions`).
 */
@Injectable()
export class AuthService implements OnModuleInit, OnModuleDestroy {
  private readonly key: Buffer;
  private readonly cache = new Map<string, AuthSessionEntity | null>();
  private subscription?: Subscription;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly feed: ChangeFeed,
    private readonly registry: VisitorRegistryService,
    secrets: SecretsService,
  ) {
    this.key = secrets.encryptionKey;
  }

  onModuleInit(): void {
    this.subscription = this.feed.changes.subscribe((change) => {
      if (change === 'sessions' || change === 'all') this.cache.clear();
    });
    // A session read while an erasure deleting it was not yet committed is not kept.
    this.subscription.add(this.registry.erasures.subscribe(() => this.cache.clear()));
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }

  /** The authsession values that decrypt, with their session ids (cheap, no I/O). */
  candidates(values: readonly string[]): SessionCandidate[] {
    const found: SessionCandidate[] = [];
    for (const value of values) {
      const content = decryptAuthsession(this.key, value);
      if (content) found.push({ sessionId: content.sessionId, value });
    }
    return found;
  }

  /** The first candidate that is a live session of this account, or null. */
  async valid(
    accountId: string,
    candidates: readonly SessionCandidate[],
  ): Promise<(SessionInfo & SessionCandidate) | null> {
    const missing = candidates.map((c) => c.sessionId).filter((id) => !this.cache.has(id));
    if (missing.length > 0) {
      const rows = await this.uow.read((em) => em.findBy(AuthSessionEntity, { id: In(missing) }));
      for (const id of missing) {
        memoised(this.cache, id, () => rows.find((r) => r.id === id) ?? null, MAX_CACHED_SESSIONS);
      }
    }
    const now = Date.now();
    for (const c of candidates) {
      const row = this.cache.get(c.sessionId);
      if (row && row.accountId === accountId && row.revokedAt === null && row.expiresAt > now) {
        return { ...c, customerId: row.customerId, visitorId: row.visitorId };
      }
    }
    return null;
  }

  /**
   * A login, after the assertion verified: the assertion's jti is used up (across nodes), the
   * visitor id linked to the customer by the linking rules, a session stored. Returns the
   * visitor id to carry (a fresh one when the device's belongs to another customer) and the
   * authsession value. A reused jti rejects with a LoginRefusedError (401 `invalid_assertion`,
   * `reason` LoginRefusal.AssertionReused); nothing is written then.
   */
  async login(
    accountId: string,
    assertion: { customerId: string; jti: string; exp: number },
    visitorId: string,
    options: { maxLinks: number; lifetimeSeconds: number; newId: () => string },
  ): Promise<{ visitorId: string; sessionId: string; value: string }> {
    const now = Date.now();
    const sessionId = randomUUID();
    const carried = await this.uow.transaction(async (em) => {
      try {
        await issueOnce(em, {
          id: createHash('sha256').update(`${accountId}\0${assertion.jti}`).digest('base64url'),
          accountId,
          purpose: ASSERTION_PURPOSE,
          payload: '{}',
          expiresAt: assertion.exp * 1000 + LEEWAY_MS,
        });
      } catch (e) {
        if (!isUniqueViolation(e)) throw e;
        // Thrown inside the unit, so it rolls back (PostgreSQL's transaction is aborted).
        throw assertionReused();
      }
      const owner = await em.findOneBy(CustomerLinkEntity, { accountId, visitorId });
      const links = await em.findBy(CustomerLinkEntity, {
        accountId,
        customerId: assertion.customerId,
      });
      const decision = decideLoginLinks({
        customerId: assertion.customerId,
        visitorId,
        visitorOwner: owner?.customerId ?? null,
        customerLinks: links,
        maxLinks: options.maxLinks,
        newId: options.newId,
      });
      if (decision.unlink.length > 0) {
        await em.delete(CustomerLinkEntity, { accountId, visitorId: In([...decision.unlink]) });
      }
      const existing = links.find((l) => l.visitorId === decision.visitorId);
      await em.upsert(
        CustomerLinkEntity,
        {
          accountId,
          visitorId: decision.visitorId,
          customerId: assertion.customerId,
          linkedAt: existing?.linkedAt ?? now,
          lastSeen: now,
        },
        ['accountId', 'visitorId'],
      );
      await em.insert(AuthSessionEntity, {
        id: sessionId,
        accountId,
        customerId: assertion.customerId,
        visitorId: decision.visitorId,
        createdAt: now,
        expiresAt: now + options.lifetimeSeconds * 1000,
        revokedAt: null,
      });
      return decision.visitorId;
    });
    const value = encryptAuthsession(this.key, { path: 'U', type: 'P', sessionId });
    return { visitorId: carried, sessionId, value };
  }

  /** Revokes a session (logout): refused on every node from now on. */
  async revoke(sessionId: string): Promise<void> {
    await this.uow.transaction(async (em) => {
      await em.update(
        AuthSessionEntity,
        { id: sessionId, revokedAt: IsNull() },
        { revokedAt: Date.now() },
      );
      await this.feed.announce(em, 'sessions');
    });
    this.cache.delete(sessionId);
  }

  /**
   * Sessions were deleted in the caller's unit of work (an erasure): the other nodes forget
   * theirs once it commits; this one when the registry applies the erasure.
   */
  async sessionsErased(em: EntityManager): Promise<void> {
    await this.feed.announce(em, 'sessions');
  }

  /** The customer a visitor id is linked to, or null. */
  async customerOf(accountId: string, visitorId: string): Promise<string | null> {
    const link = await this.uow.read((em) =>
      em.findOneBy(CustomerLinkEntity, { accountId, visitorId }),
    );
    return link?.customerId ?? null;
  }

  /** A customer's linked visitors and live sessions, or null when unknown. */
  async customer(accountId: string, customerId: string): Promise<CustomerView | null> {
    const [links, sessions] = await this.uow.read((em) =>
      Promise.all([
        em.find(CustomerLinkEntity, {
          where: { accountId, customerId },
          order: { linkedAt: 'ASC' },
        }),
        em.findBy(AuthSessionEntity, { accountId, customerId }),
      ]),
    );
    if (links.length === 0 && sessions.length === 0) return null;
    const now = Date.now();
    return {
      customerId,
      visitors: links.map((l) => ({
        visitorId: l.visitorId,
        linkedAt: new Date(l.linkedAt).toISOString(),
        lastSeen: new Date(l.lastSeen).toISOString(),
      })),
      sessions: sessions.filter((s) => s.revokedAt === null && s.expiresAt > now).length,
    };
  }

  /**
   * Erases a customer in the caller's unit of work: every linked visitor erased (record gone,
   * visitor and device ids refused), every session deleted (so refused), the links removed. Returns the
   * erased ids per visitor, for the caller to apply once committed; null when unknown.
   */
  async eraseCustomer(
    em: EntityManager,
    accountId: string,
    customerId: string,
  ): Promise<string[] | null> {
    const links = await em.findBy(CustomerLinkEntity, { accountId, customerId });
    const sessions = await em.findBy(AuthSessionEntity, { accountId, customerId });
    if (links.length === 0 && sessions.length === 0) return null;
    const erased: string[] = [];
    for (const link of links) {
      // A linked visitor whose record was never flushed still has its id refused.
      const ids =
        (await this.registry.erase(em, accountId, link.visitorId)) ??
        (await this.registry.eraseIds(em, accountId, [link.visitorId]));
      erased.push(...ids);
    }
    await em.delete(CustomerLinkEntity, { accountId, customerId });
    // Deleted, not only revoked: nothing of the customer stays. An unknown session is refused.
    await em.delete(AuthSessionEntity, { accountId, customerId });
    await this.feed.announce(em, 'sessions');
    for (const s of sessions) this.cache.delete(s.id);
    return erased;
  }
}
