import { HttpStatus, Injectable } from '@nestjs/common';
import { CookieKind } from '../vocabulary/cookie-catalog';
import { cookieCandidates, parseCookieHeader } from '../cookies/cookie-header';
import {
  CONSENT_GATED,
  CookiePlan,
  CookieWrite,
  planDomains,
  relayEntry,
  resolveSameSite,
  ResponseCookieContext,
  setCookieLine,
} from '../cookies/cookie-plan';
import { newId } from '../cookies/cookie-signer';
import { CookieSignerService } from '../cookies/cookie-signer.service';
import { normalizeOrigin, OriginMatcher } from '../vocabulary/origin-matcher';
import { acceptsBridgeFrom } from '../bridge/bridge-partners';
import { BRIDGE_PARAM, BridgeFailure, BridgeService, bridgeTarget } from '../bridge/bridge.service';
import { TenantService } from '../tenants/tenant.service';
import { verifyAssertion } from '../auth/assertion';
import { AuthService } from '../auth/auth.service';
import { MetricsService } from '../metrics/metrics.service';
import { decideLogoutVisitor } from '../auth/linking';
import { PantryException } from '../common/pantry.exception';
import { encodeRelayEntries } from '../cookies/relay-header';
import { ConfigurationService } from '../properties/configuration.service';
import { VisitorRegistryService } from '../registry/visitor-registry.service';
import type {
  BridgeAnswer,
  BridgedIdentifyResult,
  IdentifyResult,
  InspectResult,
} from '../vocabulary/visitor-answers';
import { crossOriginVerdict, CrossOriginVerdict } from './cross-origin';
import { decideVisit, FoundValue, VisitDecision } from './visit-decision';
import { VisitorAccount } from '../tenants/tenant.service';
import { VisitorRequest } from './visitor-request';

export type {
  BridgeAnswer,
  BridgedIdentifyResult,
  IdentifyResult,
  InspectResult,
} from '../vocabulary/visitor-answers';

interface ReadCookies {
  found: { -readonly [K in CookieKind]?: FoundValue | null };
  present: Set<CookieKind>;
  /** The authsession values that came (checked by a session lookup, when one is made). */
  authValues: string[];
  dropAuthsession?: boolean;
  /** Values that came and were refused (for the metrics). */
  rejected: Array<[CookieKind, 'invalid' | 'erased']>;
}

const jsonError = (
  status: HttpStatus,
  code: string,
  message: string,
  headers: Record<string, string | string[]>,
): VisitorResponse<never> => ({
  status,
  headers,
  body: { statusCode: status, error: code, message } as never,
});

/** A response for the controller to send as is. */
export interface VisitorResponse<T = unknown> {
  readonly status: number;
  readonly headers: Record<string, string | string[]>;
  readonly body?: T;
  /**
   * The access log's outcome code where the body does not say it (not sent): a refusal answered
   * 2xx names its code here and is logged as a refusal.
   */
  readonly outcome?: string;
}

type AcceptedVerdict = Exclude<CrossOriginVerdict, { kind: 'refused' }>;

const CONSENT_VALUES = new Set(['granted', 'denied']);
const GATED_KINDS = [...CONSENT_GATED];

/** SPEC §4: a refused origin gets 403 and nothing else: no cookies, no relay, no CORS grant. */
/** (Its JSON written once: the response writers send a string body as it is.) */
const REFUSED: VisitorResponse<never> = {
  status: HttpStatus.FORBIDDEN,
  headers: { vary: 'Origin' },
  outcome: 'origin_not_allowed',
  body: JSON.stringify({
    statusCode: HttpStatus.FORBIDDEN,
    error: 'origin_not_allowed',
    message:
      'This origin is not allowed to use this account; add it to server.cors.allowedOrigins.',
  }) as never,
};
const PREFLIGHT_MAX_AGE = '600';

/**
 * The visitor API: reads, verifies, issues and refreshes an account's cookies. Pure but for
 * the registry queue (in memory): no database I/O on any visitor path.
 */
@Injectable()
export class VisitorService {
  constructor(
    private readonly configuration: ConfigurationService,
    private readonly signer: CookieSignerService,
    private readonly registry: VisitorRegistryService,
    private readonly tenants: TenantService,
    private readonly bridges: BridgeService,
    private readonly auth: AuthService,
    private readonly metrics: MetricsService,
  ) {}

  /** `<prefix>set-cookie`, the relay header. */
  private get relayHeaderName(): string {
    return `${this.tenants.serverPrefix}set-cookie`;
  }

  private get trustProxy(): boolean {
    return this.configuration.startup['server.trustProxy'];
  }

  private verdict(
    req: VisitorRequest,
    allowed: OriginMatcher,
    accountId: string,
  ): CrossOriginVerdict {
    const verdict = crossOriginVerdict(req, allowed, this.trustProxy);
    if (verdict.kind === 'refused') {
      this.metrics.originRefused(this.accountLabel(accountId));
    }
    return verdict;
  }

  /** The account as a metrics label: only where `server.metricsPerAccount` says so. */
  private accountLabel(accountId: string): string {
    return this.configuration.configuration.app.values['server.metricsPerAccount']
      ? accountId
      : '-';
  }

  private corsHeaders(verdict: AcceptedVerdict): Record<string, string | string[]> {
    const prefix = this.tenants.serverPrefix;
    if (verdict.kind !== 'allowed') return { vary: 'Origin' };
    return {
      'access-control-allow-origin': verdict.origin,
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': `${prefix}set-cookie`,
      vary: 'Origin',
    };
  }

  /** `OPTIONS`: 204 for an allowed origin (the account's, or any account's without a key). */
  preflight(account: VisitorAccount | null, req: VisitorRequest): VisitorResponse {
    const allowed = account ? account.plan.origins : this.tenants.anyAccountOrigins();
    const verdict = this.verdict(req, allowed, account?.accountId ?? '-');
    if (verdict.kind === 'refused') return REFUSED;
    const prefix = this.tenants.serverPrefix;
    return {
      status: HttpStatus.NO_CONTENT,
      headers: {
        ...this.corsHeaders(verdict),
        'access-control-allow-methods': 'GET, POST, OPTIONS',
        'access-control-allow-headers': `content-type, ${prefix}apikey, ${prefix}cookie, ${prefix}bridge`,
        'access-control-max-age': PREFLIGHT_MAX_AGE,
      },
    };
  }

  /**
   * A visitor call whose key names no account (`refusal`: missing or unknown): its 401, with a
   * CORS grant for an origin some account allows (as the preflight gives one), so that the
   * snippet reads Pantry's code instead of an unreadable answer. Nothing else is set.
   */
  noAccount(req: VisitorRequest, refusal: PantryException): VisitorResponse<never> {
    const verdict = crossOriginVerdict(req, this.tenants.anyAccountOrigins(), this.trustProxy);
    const headers: Record<string, string | string[]> =
      verdict.kind === 'refused'
        ? { vary: 'Origin' }
        : { ...this.corsHeaders(verdict), 'cache-control': 'no-store' };
    return jsonError(refusal.getStatus(), refusal.code, refusal.message, headers);
  }

  /** The names of the account's cookies that arrived by `Cookie` and by the echo header. */
  inspect(account: VisitorAccount, req: VisitorRequest): VisitorResponse<InspectResult> {
    const verdict = this.verdict(req, account.plan.origins, account.accountId);
    if (verdict.kind === 'refused') return REFUSED;
    const names = account.plan.names;
    const present = (header: string | string[] | undefined) => [
      ...new Set(
        parseCookieHeader(header)
          .filter(([name, value]) => names.has(name) && value !== '')
          .map(([name]) => name),
      ),
    ];
    return {
      status: HttpStatus.OK,
      headers: { ...this.corsHeaders(verdict), 'cache-control': 'no-store' },
      body: { cookie: present(req.cookie), echo: present(req.echo) },
    };
  }

  /**
   * identify. Synchronous for every visitor without a login session or bridge token (the
   * returning-visitor path never waits for the database); a request with an authsession
   * cookie has its session looked up (cached per node), one with a bridge token redeems it.
   */
  identify(
    account: VisitorAccount,
    req: VisitorRequest,
  ): VisitorResponse<IdentifyResult> | Promise<VisitorResponse<IdentifyResult>> {
    // A refused origin costs nothing more: no cookie is read.
    const verdict = this.verdict(req, account.plan.origins, account.accountId);
    if (verdict.kind === 'refused') return REFUSED;
    const cookies = this.readCookies(account, req);
    if (req.bridge !== undefined) {
      return this.identifyBridged(account, req, verdict, req.bridge, cookies);
    }
    if (cookies.authValues.length === 0) {
      return this.respond(account, req, verdict, undefined, cookies);
    }
    return this.withSession(account, cookies).then((customerId) =>
      this.respond(account, req, verdict, undefined, cookies, customerId),
    );
  }

  /**
   * Looks the request's authsession up: a live session of this account is kept (and refreshed);
   * anything else that came (undecryptable, revoked, expired, foreign) is deleted. Returns
   * the session's customer id.
   */
  private async withSession(account: VisitorAccount, cookies: ReadCookies): Promise<string | null> {
    if (cookies.authValues.length === 0) return null;
    const valid = await this.auth.valid(
      account.accountId,
      this.auth.candidates(cookies.authValues),
    );
    if (!valid) {
      cookies.dropAuthsession = true;
      return null;
    }
    cookies.found.authsession = { id: valid.sessionId, current: true, value: valid.value };
    return valid.customerId;
  }

  /** `POST …/v1/login` (SPEC §11): a verified assertion links this visitor to the customer. */
  async login(
    account: VisitorAccount,
    req: VisitorRequest,
    assertion: unknown,
  ): Promise<VisitorResponse<IdentifyResult & { customerId: string }>> {
    const verdict = this.verdict(req, account.plan.origins, account.accountId);
    if (verdict.kind === 'refused') return REFUSED;
    const errorHeaders = { ...this.corsHeaders(verdict), 'cache-control': 'no-store' };
    const props = this.tenants.current.propertiesOf(account.accountId).values;
    const secret = props['authentication.assertionSecret'];
    if (!secret) {
      return jsonError(
        HttpStatus.FORBIDDEN,
        'login_disabled',
        'Login is not enabled for this account: set authentication.assertionSecret.',
        errorHeaders,
      );
    }
    const verified = await verifyAssertion(assertion, secret, account.accountId);
    const counted = (outcome: string) =>
      this.metrics.logins.inc({ outcome, account: this.accountLabel(account.accountId) });
    if (!verified.ok) {
      counted(verified.code);
      const status =
        verified.code === 'invalid_customer_id' ? HttpStatus.BAD_REQUEST : HttpStatus.UNAUTHORIZED;
      return jsonError(status, verified.code, verified.message, errorHeaders);
    }
    const cookies = this.readCookies(account, req);
    await this.withSession(account, cookies);
    const pre = this.decide(account, req, cookies, undefined);
    if (pre.visitorId === null) {
      counted('consent_required');
      return jsonError(
        HttpStatus.CONFLICT,
        'consent_required',
        'Login links the visitor’s identity: it needs consent first.',
        errorHeaders,
      );
    }
    let session;
    try {
      session = await this.auth.login(account.accountId, verified, pre.visitorId, {
        maxLinks: props['authentication.maxLinkedVisitors'],
        lifetimeSeconds: props['authentication.cookieMaxAgeSeconds'],
        newId,
      });
    } catch (e) {
      if (e instanceof PantryException) {
        counted(e.code === 'invalid_assertion' ? 'assertion_reused' : e.code);
        return jsonError(e.getStatus(), e.code, e.message, errorHeaders);
      }
      throw e;
    }
    // Ids this login chose (a fresh browser's, a new customer's on a shared device) and its
    // session are issued anew: the answer's `issued` lists them.
    if (session.visitorId !== cookies.found['anonymous-person']?.id) {
      cookies.found['anonymous-person'] = {
        id: session.visitorId,
        current: false,
        value: '',
        fresh: true,
      };
    }
    cookies.found.authsession = {
      id: session.sessionId,
      current: true,
      value: session.value,
      fresh: true,
    };
    cookies.dropAuthsession = false;
    counted(session.visitorId === pre.visitorId ? 'login' : 'login_fresh_visitor');
    const response = this.respond(account, req, verdict, undefined, cookies, verified.customerId);
    return response as VisitorResponse<IdentifyResult & { customerId: string }>;
  }

  /**
   * `POST …/v1/logout`: the session is revoked and its cookie deleted; with
   * `authentication.rotateOnLogout` the visitor gets a new anonymous-person id.
   */
  async logout(
    account: VisitorAccount,
    req: VisitorRequest,
  ): Promise<VisitorResponse<IdentifyResult>> {
    const verdict = this.verdict(req, account.plan.origins, account.accountId);
    if (verdict.kind === 'refused') return REFUSED;
    const cookies = this.readCookies(account, req);
    await this.withSession(account, cookies);
    const session = cookies.found.authsession;
    if (session) await this.auth.revoke(session.id);
    this.metrics.logins.inc({
      outcome: session ? 'logout' : 'logout_without_session',
      account: this.accountLabel(account.accountId),
    });
    cookies.found.authsession = null;
    cookies.dropAuthsession = cookies.authValues.length > 0;
    const props = this.tenants.current.propertiesOf(account.accountId).values;
    const person = cookies.found['anonymous-person'];
    const next = decideLogoutVisitor(
      person?.id ?? null,
      props['authentication.rotateOnLogout'],
      newId,
    );
    if (next.rotated) cookies.found['anonymous-person'] = null; // identify issues a new one
    return this.respond(account, req, verdict, undefined, cookies);
  }

  /**
   * Records the visitor's decision in the consent cookie; a revocation deletes gated cookies. A
   * grant that carries a bridge token (one that met `consent_required`, kept by the snippet)
   * redeems it as identify would, with the grant as the decision (SPEC §13).
   */
  consent(
    account: VisitorAccount,
    req: VisitorRequest,
    granted: boolean,
  ): VisitorResponse<IdentifyResult> | Promise<VisitorResponse<BridgedIdentifyResult>> {
    const verdict = this.verdict(req, account.plan.origins, account.accountId);
    if (verdict.kind === 'refused') return REFUSED;
    if (granted && req.bridge !== undefined) {
      return this.identifyBridged(
        account,
        req,
        verdict,
        req.bridge,
        this.readCookies(account, req),
        true,
      );
    }
    return this.respond(account, req, verdict, granted);
  }

  /** The identify answer for a request whose origin its caller has already accepted. */
  private respond(
    account: VisitorAccount,
    req: VisitorRequest,
    verdict: AcceptedVerdict,
    decision: boolean | undefined,
    cookies = this.readCookies(account, req),
    customerId: string | null = null,
  ): VisitorResponse<IdentifyResult> {
    const { visit, writes } = this.decideAndRender(account, req, cookies, decision);
    const headers = this.corsHeaders(verdict);
    headers['cache-control'] = 'no-store';
    this.addCookieHeaders(headers, account.plan, verdict, writes);
    const { consent, deviceId, visitorId, sessionId, issued } = visit;
    const body: IdentifyResult = {
      account: account.accountId,
      visitorId,
      deviceId,
      sessionId,
      consent,
      issued,
    };
    return { status: HttpStatus.OK, headers, body: customerId ? { ...body, customerId } : body };
  }

  /**
   * The `Set-Cookie` lines identify would send for a same-origin request (document mode: an
   * HTML page served through Pantry), with the domain resolved for the page's host.
   */
  documentCookies(account: VisitorAccount, req: VisitorRequest): string[] {
    const verdict = this.verdict(
      { ...req, origin: undefined },
      account.plan.origins,
      account.accountId,
    );
    if (verdict.kind === 'refused') return [];
    const headers: Record<string, string | string[]> = {};
    this.addCookieHeaders(
      headers,
      account.plan,
      verdict,
      this.visit(account, req, undefined).writes,
    );
    return (headers['set-cookie'] as string[] | undefined) ?? [];
  }

  /**
   * Reads and verifies the request's cookies, decides (decideVisit), renders the decision into
   * cookie writes and queues the sighting.
   */
  private visit(
    account: VisitorAccount,
    req: VisitorRequest,
    decision: boolean | undefined,
  ): { visit: VisitDecision; writes: CookieWrite[] } {
    return this.decideAndRender(account, req, this.readCookies(account, req), decision);
  }

  /** The request's valid values of the account's cookies, and which gated ones came at all. */
  private readCookies(account: VisitorAccount, req: VisitorRequest): ReadCookies {
    const { plan, accountId } = account;
    const candidates = cookieCandidates(req.cookie, req.echo, plan.names);
    const values = (kind: CookieKind) => candidates.get(plan.cookies[kind].name) ?? [];

    const rejected: Array<[CookieKind, 'invalid' | 'erased']> = [];
    /** The first candidate that verifies for this account and cookie and is not erased. */
    const read = (kind: CookieKind): FoundValue | null => {
      let reason: 'invalid' | 'erased' | null = null;
      for (const value of values(kind)) {
        if (value === '') continue;
        const verified = this.signer.verify(accountId, kind, value);
        if (!verified) {
          reason ??= 'invalid';
          continue;
        }
        if (
          kind === 'consent'
            ? !CONSENT_VALUES.has(verified.id)
            : this.registry.isErased(accountId, verified.id)
        ) {
          reason = kind === 'consent' ? 'invalid' : 'erased';
          continue;
        }
        // Built field by field: a spread here went through V8's slow path on every request.
        return { id: verified.id, current: verified.current, value };
      }
      if (reason) rejected.push([kind, reason]);
      return null;
    };
    const present = new Set<CookieKind>();
    for (const kind of GATED_KINDS) if (values(kind).some((v) => v !== '')) present.add(kind);
    return {
      found: {
        consent: read('consent'),
        device: read('device'),
        'anonymous-person': read('anonymous-person'),
        session: read('session'),
        // Encrypted, and only valid as a live session: see withSession.
        authsession: null,
      },
      present,
      authValues: values('authsession').filter((v) => v !== ''),
      rejected,
    };
  }

  private decide(
    account: VisitorAccount,
    req: VisitorRequest,
    cookies: ReadCookies,
    decision: boolean | undefined,
  ): VisitDecision {
    return decideVisit({
      found: cookies.found,
      present: cookies.present,
      dropAuthsession: cookies.dropAuthsession,
      decision,
      gpc: req.gpc,
      consentRequired: account.plan.consentRequired,
      honorGpc: account.plan.honorGpc,
      newId,
    });
  }

  /** Decides, renders the decision into cookie writes and queues the sighting. */
  private decideAndRender(
    account: VisitorAccount,
    req: VisitorRequest,
    cookies: ReadCookies,
    decision: boolean | undefined,
  ): { visit: VisitDecision; writes: CookieWrite[] } {
    const { plan, accountId } = account;
    const visit = this.decide(account, req, cookies, decision);
    const writes = visit.actions.map((a): CookieWrite => ({
      spec: plan.cookies[a.kind],
      value:
        a.op === 'delete'
          ? null
          : a.op === 'resend'
            ? a.value
            : this.signer.sign(accountId, a.kind, a.id),
    }));
    if (visit.visitorId) {
      this.registry.record(accountId, visit.visitorId, visit.deviceId, visit.consent);
    }
    const label = this.accountLabel(accountId);
    for (const a of visit.actions) {
      const outcome =
        a.op === 'issue' || visit.issued.includes(a.kind)
          ? 'issued'
          : a.op === 'delete'
            ? 'deleted'
            : a.op === 'resend'
              ? 'resent'
              : 'resigned';
      this.metrics.cookie(a.kind, outcome, label);
    }
    for (const [kind, reason] of cookies.rejected) this.metrics.cookie(kind, reason, label);
    return { visit, writes };
  }

  /** The page's origin: the allowed origin, or this server's own for a same-origin call. */
  private pageOrigin(verdict: AcceptedVerdict, req: VisitorRequest): string | null {
    if (verdict.kind === 'allowed') return verdict.origin;
    return (
      normalizeOrigin(req.origin) ??
      (verdict.serverHost ? normalizeOrigin(`${req.protocol}://${req.host ?? ''}`) : null)
    );
  }

  /**
   * `POST …/v1/bridge` (SPEC §10): a one-time token carrying this visitor's identity to one of
   * the account's `bridge.targets`, and `to` decorated with it. Nothing about the visitor is
   * readable in the token; nothing is set on this response.
   */
  async bridge(
    account: VisitorAccount,
    req: VisitorRequest,
    to: string,
  ): Promise<VisitorResponse<BridgeAnswer>> {
    const verdict = this.verdict(req, account.plan.origins, account.accountId);
    if (verdict.kind === 'refused') return REFUSED;
    const headers = { ...this.corsHeaders(verdict), 'cache-control': 'no-store' };
    const props = this.tenants.current.propertiesOf(account.accountId).values;
    const target = bridgeTarget(to, new OriginMatcher(props['bridge.targets']));
    if (!target) {
      return jsonError(
        HttpStatus.BAD_REQUEST,
        'bridge_target_not_allowed',
        'to must be an http(s) URL on one of the account’s bridge.targets.',
        headers,
      );
    }
    const cookies = this.readCookies(account, req);
    const person = cookies.found['anonymous-person'];
    const from = this.pageOrigin(verdict, req);
    if (!person || this.decide(account, req, cookies, undefined).visitorId === null || !from) {
      return jsonError(
        HttpStatus.CONFLICT,
        'consent_required',
        'This visitor has no identity to carry yet (consent not given, or identify not called).',
        headers,
      );
    }
    const { token, expires } = await this.bridges.issue(
      account.accountId,
      {
        visitorId: person.id,
        deviceId: cookies.found.device?.id ?? null,
        from,
        to: target.origin,
      },
      props['bridge.tokenTtlSeconds'],
    );
    target.url.searchParams.set(BRIDGE_PARAM, token);
    this.metrics.bridge('issued', this.accountLabel(account.accountId));
    return { status: HttpStatus.OK, headers, body: { token, url: target.url.href, expires } };
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
    cookies: ReadCookies,
    decision?: boolean,
  ): Promise<VisitorResponse<BridgedIdentifyResult>> {
    const customerId = await this.withSession(account, cookies);
    const target = this.pageOrigin(verdict, req);
    let outcome: { bridged: true } | { bridged: false; bridge: BridgeFailure };
    if (this.decide(account, req, cookies, decision).visitorId === null) {
      outcome = { bridged: false, bridge: 'consent_required' }; // the token is left unused
    } else if (!target) {
      outcome = { bridged: false, bridge: 'wrong_target' };
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
        outcome = { bridged: true };
        if (redeemed.visitorId !== current) {
          // Set anew on this domain: listed in `issued`.
          cookies.found['anonymous-person'] = {
            id: redeemed.visitorId,
            current: false,
            value: '',
            fresh: true,
          };
        }
        if (!cookies.found.device && redeemed.deviceId) {
          cookies.found.device = { id: redeemed.deviceId, current: false, value: '', fresh: true };
        }
      } else {
        outcome = { bridged: false, bridge: redeemed.reason };
      }
    }
    this.metrics.bridge(
      outcome.bridged ? 'bridged' : outcome.bridge,
      this.accountLabel(account.accountId),
    );
    // Rendered as identify renders, with the bridge outcome added to the answer.
    const response = this.respond(account, req, verdict, decision, cookies, customerId);
    return { ...response, body: { ...response.body!, ...outcome } };
  }

  /** Adds the `Set-Cookie` lines and, on allowed cross-origin responses, the relay header. */
  private addCookieHeaders(
    headers: Record<string, string | string[]>,
    plan: CookiePlan,
    verdict: AcceptedVerdict,
    writes: readonly CookieWrite[],
  ): void {
    if (writes.length === 0) return;
    const domains = planDomains(plan, verdict.contextHost, verdict.serverHost);
    const ctx: ResponseCookieContext = {
      setCookieDomain: domains.setCookie,
      relayDomain: domains.relay,
      sameSite: resolveSameSite(
        plan.sameSite,
        plan.secure,
        verdict.kind === 'allowed' && verdict.crossSite,
      ),
      now: Math.floor(Date.now() / 1000),
    };
    headers['set-cookie'] = writes.map((w) => setCookieLine(plan, w, ctx));
    if (verdict.kind === 'allowed') {
      headers[this.relayHeaderName] = encodeRelayEntries(
        plan.mode,
        writes.map((w) => relayEntry(plan, w, ctx)),
      );
    }
  }
}
