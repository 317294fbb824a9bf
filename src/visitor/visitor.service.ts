import { Injectable } from '@nestjs/common';
import { ErrorCode, PantryError } from '../common/errors';
import { parseCookieHeader } from '../cookies/cookie-header';
import { acceptsBridgeFrom } from '../bridge/bridge-partners';
import { BRIDGE_PARAM, BridgeService, bridgeTarget } from '../bridge/bridge.service';
import { MetricsService } from '../metrics/metrics.service';
import { TenantService, VisitorAccount } from '../tenants/tenant.service';
import { normalizeOrigin, OriginMatcher } from '../vocabulary/origin-matcher';
import { AcceptedVerdict, crossOriginVerdict, CrossOriginVerdict } from './cross-origin';
import { chosenId, RequestCookies, withFound } from './request-cookies';
import { VisitKeeper } from './visit-keeper';
import { VisitService } from './visit.service';
import {
  BridgeRedemption,
  DocumentVisit,
  refusal,
  VisitOutcome,
  VisitorOutcome,
} from './visitor-outcome';
import { VisitorRequest } from './visitor-request';

/**
 * The visitor API's decisions: which origin may call (the one gate), what a call does to the
 * account's cookies (through VisitService: decideVisit) and what it answers, as plain
 * VisitorOutcomes that VisitorResponder renders. The returning-visitor path never waits for the
 * database; a login session is looked up, a bridge token redeemed.
 */
@Injectable()
export class VisitorService {
  constructor(
    private readonly visits: VisitService,
    private readonly tenants: TenantService,
    private readonly bridges: BridgeService,
    private readonly metrics: MetricsService,
    private readonly keeper: VisitKeeper,
  ) {}

  /**
   * SPEC §4, the one origin gate: the request's verdict against the account's allowlist (any
   * account's, for a preflight without a key), computed once per request; a refusal is counted
   * here, once.
   */
  gate(account: VisitorAccount | null, req: VisitorRequest): CrossOriginVerdict {
    const allowed = account ? account.plan.origins : this.tenants.anyAccountOrigins();
    const verdict = crossOriginVerdict(req, allowed);
    if (verdict.kind === 'refused') {
      this.metrics.originRefused(this.visits.accountLabel(account?.accountId ?? '-'));
    }
    return verdict;
  }

  /**
   * The verdict for a call whose key names no account, against any account's allowlist (only
   * whether its 401 gets a CORS grant; not counted as a refused origin).
   */
  unnamedVerdict(req: VisitorRequest): CrossOriginVerdict {
    return crossOriginVerdict(req, this.tenants.anyAccountOrigins());
  }

  /** The names of the account's cookies that arrived by `Cookie` and by the echo header. */
  inspect(account: VisitorAccount, req: VisitorRequest): VisitorOutcome {
    const names = account.plan.names;
    const present = (header: string | string[] | undefined) => [
      ...new Set(
        parseCookieHeader(header)
          .filter(([name, value]) => names.has(name) && value !== '')
          .map(([name]) => name),
      ),
    ];
    return { kind: 'inspect', result: { cookie: present(req.cookie), echo: present(req.echo) } };
  }

  /**
   * identify. Synchronous for every visitor without a login session or bridge token (the
   * returning-visitor path never waits for the database); a request with an authsession
   * cookie has its session looked up (cached per node), one with a bridge token redeems it.
   */
  identify(
    account: VisitorAccount,
    req: VisitorRequest,
    verdict: AcceptedVerdict,
  ): VisitOutcome | Promise<VisitOutcome> {
    const cookies = this.visits.read(account, req);
    const kept = (outcome: VisitOutcome) =>
      this.keeper.keep(account, req, verdict, outcome, cookies, revokes(outcome));
    if (req.bridge !== undefined) {
      return this.identifyBridged(account, req, verdict, req.bridge, cookies, undefined).then(kept);
    }
    if (cookies.authValues.length === 0) {
      return kept(this.visits.visit(account, req, cookies, undefined, null, undefined));
    }
    return this.visits
      .withSession(account, cookies)
      .then(([looked, customerId]) =>
        kept(this.visits.visit(account, req, looked, undefined, customerId, undefined)),
      );
  }

  /**
   * `GET …/v1/keep.js` (SPEC §14): identify for a script loaded before the analytics SDKs, its
   * answer handed to the snippet. A GET never redeems a bridge token.
   */
  keepScript(
    account: VisitorAccount,
    req: VisitorRequest,
    verdict: AcceptedVerdict,
  ): VisitOutcome | Promise<VisitOutcome> {
    return this.identify(account, { ...req, bridge: undefined }, verdict);
  }

  /**
   * A document of the site (SPEC §8 document mode, §16 edge mode): the cookies identify would
   * decide for a same-origin page (no session lookup, no bridge: a page view carries neither),
   * and the keeper's. The page is the site's own: same-origin whatever Origin a navigation sent,
   * so the gate never refuses it.
   */
  document(
    account: VisitorAccount,
    request: VisitorRequest,
  ): DocumentVisit | Promise<DocumentVisit> {
    const req = request.origin === undefined ? request : { ...request, origin: undefined };
    const verdict = this.gate(account, req) as AcceptedVerdict;
    const cookies = this.visits.read(account, req);
    const outcome = this.visits.visit(account, req, cookies, undefined, null, undefined);
    const kept = this.keeper.keep(account, req, verdict, outcome, cookies, revokes(outcome));
    return kept instanceof Promise
      ? kept.then((decided) => ({ verdict, outcome: decided }))
      : { verdict, outcome: kept };
  }

  /**
   * Records the visitor's decision in the consent cookie; a revocation deletes gated cookies. A
   * grant that carries a bridge token (one that met `consent_required`, kept by the snippet)
   * redeems it as identify would, with the grant as the decision (SPEC §13).
   */
  consent(
    account: VisitorAccount,
    req: VisitorRequest,
    verdict: AcceptedVerdict,
    granted: boolean,
  ): VisitOutcome | Promise<VisitOutcome> {
    const cookies = this.visits.read(account, req);
    const kept = (outcome: VisitOutcome) =>
      this.keeper.keep(account, req, verdict, outcome, cookies, !granted);
    if (granted && req.bridge !== undefined) {
      return this.identifyBridged(account, req, verdict, req.bridge, cookies, true).then(kept);
    }
    return kept(this.visits.visit(account, req, cookies, granted, null, undefined));
  }

  /**
   * `POST …/v1/bridge` (SPEC §10): a one-time token carrying this visitor's identity to one of
   * the account's `bridge.targets`, and `to` decorated with it. Nothing about the visitor is
   * readable in the token; nothing is set on this response.
   */
  async bridge(
    account: VisitorAccount,
    req: VisitorRequest,
    verdict: AcceptedVerdict,
    to: string,
  ): Promise<VisitorOutcome> {
    const props = this.tenants.current.propertiesOf(account.accountId).values;
    const target = bridgeTarget(to, new OriginMatcher(props['bridge.targets']));
    if (!target) {
      return refusal(
        new PantryError(
          ErrorCode.BridgeTargetNotAllowed,
          'to must be an http(s) URL on one of the account’s bridge.targets.',
        ),
      );
    }
    const cookies = this.visits.read(account, req);
    const person = cookies.found['anonymous-person'];
    const from = pageOrigin(verdict, req);
    if (
      !person ||
      this.visits.decide(account, req, cookies, undefined).visitorId === null ||
      !from
    ) {
      return refusal(
        new PantryError(
          ErrorCode.ConsentRequired,
          'This visitor has no identity to carry yet (consent not given, or identify not called).',
        ),
      );
    }
    const { token, expires } = await this.bridges.issue(
      account.accountId,
      { visitorId: person.id, deviceId: cookies.found.device?.id ?? null, from, to: target.origin },
      props['bridge.tokenTtlSeconds'],
    );
    target.url.searchParams.set(BRIDGE_PARAM, token);
    this.metrics.bridge('issued', this.visits.accountLabel(account.accountId));
    return { kind: 'bridge-token', answer: { token, url: target.url.href, expires } };
  }

  /**
   * identify with a bridge token (`<prefix>bridge`): when identity is allowed here, the
   * token's visitor id is adopted (its anonymous-person cookie carries it from now on, and
   * its device id when this browser has none), through the same decision as identify.
   */
  private async identifyBridged(
    account: VisitorAccount,
    req: VisitorRequest,
    verdict: AcceptedVerdict,
    token: string,
    read: RequestCookies,
    decision: boolean | undefined,
  ): Promise<VisitOutcome> {
    const [cookies, customerId] = await this.visits.withSession(account, read);
    const target = pageOrigin(verdict, req);
    let redemption: BridgeRedemption;
    let adopted = cookies;
    if (this.visits.decide(account, req, cookies, decision).visitorId === null) {
      redemption = { bridged: false, bridge: 'consent_required' }; // the token is left unused
    } else if (!target) {
      redemption = { bridged: false, bridge: 'wrong_target' };
    } else {
      // The id this browser already has here, if any: it is kept (already_identified); only a
      // visitor without one (a fresh browser, or one that waited for consent) adopts the token's.
      const current = cookies.found['anonymous-person']?.id ?? null;
      const snapshot = this.tenants.current;
      const partnersOf = (id: string) =>
        snapshot.account(id) ? snapshot.propertiesOf(id).values['bridge.partners'] : null;
      const redeemed = await this.bridges.redeem(
        account.accountId,
        token,
        target,
        current,
        (from) => acceptsBridgeFrom(account.accountId, from, partnersOf),
      );
      if (redeemed.ok) {
        redemption = { bridged: true };
        // The token's ids this browser lacked are set anew on this domain (listed in `issued`).
        const { device, 'anonymous-person': person = null } = cookies.found;
        adopted = withFound(cookies, {
          'anonymous-person':
            redeemed.visitorId === current ? person : chosenId(redeemed.visitorId),
          device: device ?? (redeemed.deviceId ? chosenId(redeemed.deviceId) : null),
        });
      } else {
        redemption = { bridged: false, bridge: redeemed.reason };
      }
    }
    this.metrics.bridge(
      redemption.bridged ? 'bridged' : redemption.bridge,
      this.visits.accountLabel(account.accountId),
    );
    return this.visits.visit(account, req, adopted, decision, customerId, redemption);
  }
}

/** The page's origin: the allowed origin, or this server's own for a same-origin call. */
function pageOrigin(verdict: AcceptedVerdict, req: VisitorRequest): string | null {
  if (verdict.kind === 'allowed') return verdict.origin;
  return (
    normalizeOrigin(req.origin) ??
    (verdict.serverHost ? normalizeOrigin(`${req.protocol}://${req.host ?? ''}`) : null)
  );
}

/** A denial this request recorded (a CMP's withdrawal): the keeper deletes what it stored. */
const revokes = (outcome: VisitOutcome) =>
  outcome.visit.recorded !== null && outcome.visit.consent === 'denied';
