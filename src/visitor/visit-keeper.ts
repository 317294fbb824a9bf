import { Injectable } from '@nestjs/common';
import { parseCookieHeader } from '../cookies/cookie-header';
import { keptCookiesOf } from '../keeper/keeper-adapters';
import { decideKept, KeptWrite, needsStored } from '../keeper/keeper-decision';
import { KeeperMetrics } from '../keeper/keeper-metrics';
import { KeeperService, StoredValues } from '../keeper/keeper.service';
import { TenantService, VisitorAccount } from '../tenants/tenant.service';
import { AcceptedVerdict } from './cross-origin';
import { RequestCookies } from './request-cookies';
import { VisitService } from './visit.service';
import { VisitOutcome, withKept } from './visitor-outcome';
import { VisitorRequest } from './visitor-request';

/**
 * The cookie keeper's step of a visit (SPEC §14), after the visit is decided: on identify,
 * consent, keep.js and document mode, where Pantry answers same-site with the page, the
 * request's kept cookies are learnt and every kept cookie is set again (refreshed, restored
 * from storage, or derived). A revocation or a denied visitor deletes them. Synchronous unless
 * the browser lost one and this node does not know what is stored (one lookup), or consent is
 * revoked (the stored values are deleted before the answer). An account without
 * `keeper.cookies` costs one check.
 */
@Injectable()
export class VisitKeeper {
  constructor(
    private readonly tenants: TenantService,
    private readonly keeper: KeeperService,
    private readonly visits: VisitService,
    private readonly metrics: KeeperMetrics,
  ) {}

  keep(
    account: VisitorAccount,
    req: VisitorRequest,
    verdict: AcceptedVerdict,
    outcome: VisitOutcome,
    cookies: RequestCookies,
    revoking: boolean,
  ): VisitOutcome | Promise<VisitOutcome> {
    const props = this.tenants.current.propertiesOf(account.accountId).values;
    const settings = props['keeper.cookies'];
    if (settings.length === 0 || !keepsHere(account, verdict, req)) return outcome;
    const { accountId } = account;
    const { visitorId, consent, issued } = outcome.visit;
    const label = this.visits.accountLabel(accountId);
    const kept = (writes: readonly KeptWrite[]): VisitOutcome => {
      for (const w of writes) {
        if (w.outcome !== 'deleted') this.metrics.count(w.adapter, w.outcome, label);
      }
      return writes.length ? withKept(outcome, writes) : outcome;
    };
    // A returning visitor's page views repeat their Cookie header: the same refresh again.
    const header = typeof req.cookie === 'string' ? req.cookie : null;
    if (visitorId !== null && header !== null) {
      const again = this.keeper.lastRefresh(accountId, visitorId, header, settings);
      if (again) return kept(again);
    }
    const present = keptCookiesOf(settings, parseCookieHeader(req.cookie));
    const decide = (stored: StoredValues | null): VisitOutcome => {
      const decision = decideKept({
        settings,
        derive: props['keeper.derive'],
        visitorId,
        denied: consent === 'denied',
        present,
        stored,
        nowSeconds: Math.floor(Date.now() / 1000),
      });
      if (visitorId !== null) this.keeper.learn(accountId, visitorId, decision.learn);
      return kept(decision.writes);
    };
    if (visitorId === null) {
      if (consent !== 'denied') return outcome;
      const previous = cookies.found['anonymous-person']?.id;
      return revoking && previous
        ? this.keeper.forget(accountId, previous).then(decide)
        : decide(null);
    }
    // A visitor new here has nothing stored.
    if (issued.includes('anonymous-person')) return decide([]);
    const stored = this.keeper.storedIfKnown(accountId, visitorId);
    if (stored === null && needsStored(settings, present)) {
      return this.keeper.lookup(accountId, visitorId).then(decide);
    }
    const decided = decide(stored);
    // Only a pure refresh repeats as it is (a restore or derivation is learnt, and changes).
    if (stored === null && header !== null) {
      this.keeper.rememberRefresh(accountId, visitorId, header, settings, decided.kept);
    }
    return decided;
  }
}

/**
 * Whether Pantry's answer is same-site with the page, so that the cookies it sets are the
 * page's: the PRODUCT_DOMAIN mode (the storage modes are cross-site by design), a same-origin
 * call or an allowed origin of the same site, and not a script loaded from another site.
 */
function keepsHere(
  account: VisitorAccount,
  verdict: AcceptedVerdict,
  req: VisitorRequest,
): boolean {
  return (
    account.plan.mode === 'PRODUCT_DOMAIN' &&
    !(verdict.kind === 'allowed' && verdict.crossSite) &&
    req.fetchSite !== 'cross-site'
  );
}
