import { HttpStatus, Injectable } from '@nestjs/common';
import { CookieKind } from '../cookies/cookie-catalog';
import { cookieCandidates, parseCookieHeader } from '../cookies/cookie-header';
import {
  CONSENT_GATED,
  CookiePlan,
  CookieWrite,
  planDomains,
  relayCookie,
  resolveSameSite,
  ResponseCookieContext,
  setCookieLine,
} from '../cookies/cookie-plan';
import { CookiePlanService } from '../cookies/cookie-plan.service';
import { newId } from '../cookies/cookie-signer';
import { CookieSignerService } from '../cookies/cookie-signer.service';
import { OriginMatcher } from '../cookies/origin-matcher';
import { encodeRelayHeader } from '../cookies/relay-header';
import { ConfigurationService } from '../properties/configuration.service';
import { ConsentState, VisitorRegistryService } from '../registry/visitor-registry.service';
import { crossOriginVerdict, CrossOriginVerdict } from './cross-origin';
import { decideVisit, FoundValue, VisitDecision } from './visit-decision';
import { VisitorAccount } from './visitor-context';
import { VisitorRequest } from './visitor-request';

/** The identify answer (SPEC §5). */
export interface IdentifyResult {
  readonly account: string;
  readonly visitorId: string | null;
  readonly deviceId: string | null;
  readonly sessionId: string;
  readonly consent: ConsentState;
  /** Cookies issued anew by this call (not refreshed ones). */
  readonly issued: CookieKind[];
}

export interface InspectResult {
  /** Names of the account's cookies in the `Cookie` header (the browser's own cookies). */
  readonly cookie: string[];
  /** Names in the echo header (the snippet's copies). */
  readonly echo: string[];
}

/** A response for the controller to send as is. */
export interface VisitorResponse<T = unknown> {
  readonly status: number;
  readonly headers: Record<string, string | string[]>;
  readonly body?: T;
}

type AcceptedVerdict = Exclude<CrossOriginVerdict, { kind: 'refused' }>;

const CONSENT_VALUES = new Set(['granted', 'denied']);
const GATED_KINDS = [...CONSENT_GATED];

/** SPEC §4: a refused origin gets 403 and nothing else: no cookies, no relay, no CORS grant. */
const REFUSED: VisitorResponse<never> = {
  status: HttpStatus.FORBIDDEN,
  headers: { vary: 'Origin' },
  body: {
    statusCode: HttpStatus.FORBIDDEN,
    error: 'origin_not_allowed',
    message:
      'This origin is not allowed to use this account; add it to server.cors.allowedOrigins.',
  } as never,
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
    private readonly plans: CookiePlanService,
    private readonly signer: CookieSignerService,
    private readonly registry: VisitorRegistryService,
  ) {}

  private get trustProxy(): boolean {
    return this.configuration.startup['server.trustProxy'];
  }

  private verdict(req: VisitorRequest, allowed: OriginMatcher): CrossOriginVerdict {
    return crossOriginVerdict(req, allowed, this.trustProxy);
  }

  private corsHeaders(verdict: AcceptedVerdict): Record<string, string | string[]> {
    const prefix = this.plans.serverPrefix;
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
    const allowed = account ? account.plan.origins : this.plans.anyAccountOrigins();
    const verdict = this.verdict(req, allowed);
    if (verdict.kind === 'refused') return REFUSED;
    const prefix = this.plans.serverPrefix;
    return {
      status: HttpStatus.NO_CONTENT,
      headers: {
        ...this.corsHeaders(verdict),
        'access-control-allow-methods': 'GET, POST, OPTIONS',
        'access-control-allow-headers': `content-type, ${prefix}apikey, ${prefix}cookie`,
        'access-control-max-age': PREFLIGHT_MAX_AGE,
      },
    };
  }

  /** The names of the account's cookies that arrived by `Cookie` and by the echo header. */
  inspect(account: VisitorAccount, req: VisitorRequest): VisitorResponse<InspectResult> {
    const verdict = this.verdict(req, account.plan.origins);
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

  identify(account: VisitorAccount, req: VisitorRequest): VisitorResponse<IdentifyResult> {
    return this.respond(account, req, undefined);
  }

  /** Records the visitor's decision in the consent cookie; a revocation deletes gated cookies. */
  consent(
    account: VisitorAccount,
    req: VisitorRequest,
    granted: boolean,
  ): VisitorResponse<IdentifyResult> {
    return this.respond(account, req, granted);
  }

  private respond(
    account: VisitorAccount,
    req: VisitorRequest,
    decision: boolean | undefined,
  ): VisitorResponse<IdentifyResult> {
    const verdict = this.verdict(req, account.plan.origins);
    if (verdict.kind === 'refused') return REFUSED;
    const { visit, writes } = this.visit(account, req, decision);
    const headers = this.corsHeaders(verdict);
    headers['cache-control'] = 'no-store';
    this.addCookieHeaders(headers, account.plan, verdict, writes);
    const { consent, deviceId, visitorId, sessionId, issued } = visit;
    return {
      status: HttpStatus.OK,
      headers,
      body: { account: account.accountId, visitorId, deviceId, sessionId, consent, issued },
    };
  }

  /**
   * The `Set-Cookie` lines identify would send for a same-origin request (document mode: an
   * HTML page served through Pantry), with the domain resolved for the page's host.
   */
  documentCookies(account: VisitorAccount, req: VisitorRequest): string[] {
    const verdict = this.verdict({ ...req, origin: undefined }, account.plan.origins);
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
    const { plan, accountId } = account;
    const candidates = cookieCandidates(req.cookie, req.echo, plan.names);
    const values = (kind: CookieKind) => candidates.get(plan.cookies[kind].name) ?? [];

    /** The first candidate that verifies for this account and cookie and is not erased. */
    const read = (kind: CookieKind): FoundValue | null => {
      for (const value of values(kind)) {
        const verified = this.signer.verify(accountId, kind, value);
        if (!verified) continue;
        if (
          kind === 'consent'
            ? !CONSENT_VALUES.has(verified.id)
            : this.registry.isErased(accountId, verified.id)
        ) {
          continue;
        }
        return { ...verified, value };
      }
      return null;
    };
    const present = new Set<CookieKind>();
    for (const kind of GATED_KINDS) if (values(kind).some((v) => v !== '')) present.add(kind);

    const visit = decideVisit({
      found: {
        consent: read('consent'),
        device: read('device'),
        'anonymous-person': read('anonymous-person'),
        session: read('session'),
        authsession: read('authsession'),
      },
      present,
      decision,
      gpc: req.gpc,
      consentRequired: plan.consentRequired,
      honorGpc: plan.honorGpc,
      newId,
    });
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
    return { visit, writes };
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
      headers[`${this.plans.serverPrefix}set-cookie`] = encodeRelayHeader(
        plan.mode,
        writes.map((w) => relayCookie(plan, w, ctx)),
      );
    }
  }
}
