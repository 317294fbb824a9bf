import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { CookieSignerService } from '../cookies/cookie-signer.service';
import { normalizeOrigin, OriginMatcher } from '../vocabulary/origin-matcher';
import { consumeOnce, issueOnce, purgeExpired } from '../database/consume-once';
import { OneTimeTokenEntity } from '../database/one-time-token.entity';
import { isUnavailable, UnitOfWork } from '../database/unit-of-work';
import { VisitorRegistryService } from '../registry/visitor-registry.service';
import { BridgeLinkEntity } from './bridge-link.entity';
import type { BridgeFailure } from '../vocabulary/bridge-outcomes';
import { BridgeRedemptionEntity } from './bridge-redemption.entity';

const BRIDGE_PURPOSE = 'bridge';
/** The query parameter a bridged URL carries. */
export const BRIDGE_PARAM = 'pantry_bridge';
const MAX_TOKEN_LENGTH = 64;
const PURGE_EVERY_MS = 60_000;

type Redemption =
  | { readonly ok: true; readonly visitorId: string; readonly deviceId: string | null }
  | { readonly ok: false; readonly reason: Exclude<BridgeFailure, 'consent_required'> };

interface BridgePayload {
  readonly visitorId: string;
  readonly deviceId: string | null;
  readonly from: string;
  readonly to: string;
}

/**
 * `to` of a bridge request as the URL to decorate and the origin it must match, or null when
 * it is not an absolute http(s) URL without credentials under one of the targets. Lookalikes
 * (`checkout-shop.net.evil.com`), userinfo (`https://checkout-shop.net@evil.com`),
 * `javascript:` and `data:` never match: the origin is parsed, then matched exactly.
 */
export function bridgeTarget(
  to: string,
  targets: OriginMatcher,
): { readonly url: URL; readonly origin: string } | null {
  let url: URL;
  try {
    url = new URL(to);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username || url.password) return null;
  const origin = normalizeOrigin(url.origin);
  return origin !== null && targets.allows(origin) ? { url, origin } : null;
}

/**
 * The cross-domain bridge (SPEC §10): a visitor's identity carried to another of the account's
 * registrable domains by a signed, opaque, single-use token stored with the account, the
 * visitor and device ids and the target origin, instead of an id in the URL.
 */
@Injectable()
export class BridgeService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(BridgeService.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly signer: CookieSignerService,
    private readonly registry: VisitorRegistryService,
  ) {}

  onApplicationBootstrap(): void {
    // Expired tokens are purged in the background (any node may; deleting twice is harmless).
    this.timer = setInterval(() => {
      this.uow
        .transaction((em) => purgeExpired(em, Date.now()))
        .catch((e: unknown) => this.logger.warn(`purging bridge tokens failed: ${String(e)}`));
    }, PURGE_EVERY_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Stores a new token (committed before it is returned). */
  async issue(
    accountId: string,
    payload: BridgePayload,
    ttlSeconds: number,
  ): Promise<{ token: string; expires: number }> {
    const id = randomBytes(16).toString('base64url');
    const expiresAt = Date.now() + ttlSeconds * 1000;
    await this.uow.transaction((em) =>
      issueOnce(em, {
        id,
        accountId,
        purpose: BRIDGE_PURPOSE,
        payload: JSON.stringify(payload),
        expiresAt,
      }),
    );
    return {
      token: this.signer.signToken(BRIDGE_PURPOSE, id),
      expires: Math.floor(expiresAt / 1000),
    };
  }

  /**
   * Redeems a token for a visitor at `targetOrigin` on `accountId`: checks it, consumes it
   * (exactly one caller wins, across nodes) and records it, in one unit of work. A visitor who
   * already carries the token's id gets a no-op success, and nothing is consumed. A visitor
   * with no id here (`currentVisitorId` null) adopts the token's id: the redemption is
   * recorded. A visitor with another id here keeps it (a planted link cannot move it onto
   * someone else's identity): the token is consumed and the two ids are linked on both
   * records, `already_identified`. A token redeems only when `accepts(issuer)`: its own
   * account, or a partner (bridge.partners, mutual), where it is recorded on both accounts. While
   * the database cannot be written nothing is consumed: `unavailable`.
   */
  async redeem(
    accountId: string,
    raw: string,
    targetOrigin: string,
    currentVisitorId: string | null,
    accepts: (issuer: string) => boolean,
  ): Promise<Redemption> {
    const id = raw.length <= MAX_TOKEN_LENGTH ? this.signer.verifyToken(BRIDGE_PURPOSE, raw) : null;
    if (id === null) return { ok: false, reason: 'invalid' };
    try {
      return await this.uow.transaction((em) =>
        this.redeemIn(em, accountId, id, targetOrigin, currentVisitorId, accepts),
      );
    } catch (e) {
      if (!isUnavailable(e)) throw e;
      return { ok: false, reason: 'unavailable' };
    }
  }

  private async redeemIn(
    em: EntityManager,
    accountId: string,
    id: string,
    targetOrigin: string,
    currentVisitorId: string | null,
    accepts: (issuer: string) => boolean,
  ): Promise<Redemption> {
    const row = await em.findOneBy(OneTimeTokenEntity, { id });
    if (!row || row.purpose !== BRIDGE_PURPOSE) return { ok: false, reason: 'invalid' };
    const issuer = row.accountId;
    if (!accepts(issuer)) return { ok: false, reason: 'wrong_account' };
    const payload = JSON.parse(row.payload) as BridgePayload;
    if (payload.to !== targetOrigin) return { ok: false, reason: 'wrong_target' };
    if (currentVisitorId === payload.visitorId) {
      return { ok: true, visitorId: payload.visitorId, deviceId: payload.deviceId };
    }
    if (
      this.registry.isErased(issuer, payload.visitorId) ||
      this.registry.isErased(accountId, payload.visitorId)
    ) {
      return { ok: false, reason: 'invalid' };
    }
    const consumed = await consumeOnce(em, issuer, BRIDGE_PURPOSE, id);
    if (!consumed.ok) return consumed;
    if (currentVisitorId !== null) {
      await this.link(em, { accountId, visitorId: currentVisitorId }, issuer, payload);
      return { ok: false, reason: 'already_identified' };
    }
    await this.record(em, accountId, payload);
    if (issuer !== accountId) await this.record(em, issuer, payload);
    return { ok: true, visitorId: payload.visitorId, deviceId: payload.deviceId };
  }

  /** The visitor here and the token's visitor, linked on both records (once per pair). */
  private async link(
    em: EntityManager,
    here: { readonly accountId: string; readonly visitorId: string },
    issuer: string,
    payload: BridgePayload,
  ): Promise<void> {
    const common = { fromOrigin: payload.from, toOrigin: payload.to, at: Date.now() };
    await em
      .createQueryBuilder()
      .insert()
      .into(BridgeLinkEntity)
      .values([
        {
          ...here,
          linkedAccountId: issuer,
          linkedVisitorId: payload.visitorId,
          ...common,
        },
        {
          accountId: issuer,
          visitorId: payload.visitorId,
          linkedAccountId: here.accountId,
          linkedVisitorId: here.visitorId,
          ...common,
        },
      ])
      .orIgnore()
      .execute();
  }

  private async record(em: EntityManager, accountId: string, payload: BridgePayload) {
    await em.insert(BridgeRedemptionEntity, {
      accountId,
      visitorId: payload.visitorId,
      fromOrigin: payload.from,
      toOrigin: payload.to,
      at: Date.now(),
    });
  }

  /** The visitor's bridge redemptions, oldest first (its admin record). */
  redemptionsOf(accountId: string, visitorId: string): Promise<BridgeRedemptionEntity[]> {
    return this.uow.read((em) =>
      em.find(BridgeRedemptionEntity, { where: { accountId, visitorId }, order: { at: 'ASC' } }),
    );
  }

  /** The ids bridge redemptions linked to the visitor's (it kept its own), oldest first. */
  linksOf(accountId: string, visitorId: string): Promise<BridgeLinkEntity[]> {
    return this.uow.read((em) =>
      em.find(BridgeLinkEntity, { where: { accountId, visitorId }, order: { at: 'ASC' } }),
    );
  }
}
