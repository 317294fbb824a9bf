import { HttpStatus, Injectable } from '@nestjs/common';
import { ErrorCode, ERROR_STATUS, PantryError } from '../common/errors';
import { memoised } from '../common/memo';
import {
  CookiePlan,
  planDomains,
  relayEntry,
  resolveSameSite,
  ResponseCookieContext,
  setCookieLine,
} from '../cookies/cookie-plan';
import { encodeRelayEntries } from '../cookies/relay-header';
import { errorBody } from '../http/error-response';
import { keptCookieDomain, keptSetCookieLine } from '../keeper/keeper-adapters';
import { keepRefusal, keepScript } from '../snippet/keep-script';
import { TenantService, VisitorAccount } from '../tenants/tenant.service';
import type { IdentifyResult } from '../vocabulary/visitor-answers';
import { GOOGLE_CONSENT_HEADER, TCF_HEADER } from '../vocabulary/consent';
import { EDGE_CACHE_CONTROL_HEADER, edgeCookieHeaders } from '../vocabulary/edge';
import { AcceptedVerdict, CrossOriginVerdict } from './cross-origin';
import { DocumentVisit, VisitOutcome, VisitorOutcome } from './visitor-outcome';

/** A response for the route to send as is (visitor-http.ts writes it). */
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

type Headers = Record<string, string | string[]>;

/**
 * SPEC §4: a refused origin gets 403 and nothing else: no cookies, no relay, no CORS grant.
 * (Its JSON written once: the response writers send a string body as it is.)
 */
export const ORIGIN_REFUSAL = new PantryError(
  ErrorCode.OriginNotAllowed,
  'This origin is not allowed to use this account; add it to server.cors.allowedOrigins.',
);

export const REFUSED: VisitorResponse<never> = {
  status: ERROR_STATUS[ORIGIN_REFUSAL.code],
  headers: { vary: 'Origin' },
  outcome: ORIGIN_REFUSAL.code,
  body: JSON.stringify(
    errorBody(ERROR_STATUS[ORIGIN_REFUSAL.code], ORIGIN_REFUSAL.code, ORIGIN_REFUSAL.message),
  ) as never,
};

const PREFLIGHT_MAX_AGE = '600';

/**
 * The visitor API's HTTP rendering: a decision (VisitorOutcome) and the origin's verdict become
 * status, headers (CORS, Cache-Control, Set-Cookie, the relay header) and body. Every visitor
 * answer — identify, consent, bridge, login, logout, inspect, preflight, a missing key, and
 * document mode's Set-Cookie lines — is rendered here and nowhere else.
 */
@Injectable()
export class VisitorResponder {
  constructor(private readonly tenants: TenantService) {}

  /** Renders what a call decided, for a request whose origin the gate accepted. */
  render(
    account: VisitorAccount,
    verdict: AcceptedVerdict,
    outcome: VisitorOutcome,
  ): VisitorResponse {
    const headers = this.cors(verdict);
    headers['cache-control'] = 'no-store';
    switch (outcome.kind) {
      case 'visit':
        this.addCookieHeaders(headers, account.plan, verdict, outcome);
        return { status: HttpStatus.OK, headers, body: identifyBody(account, outcome) };
      case 'refusal':
        return errorAnswer(outcome.error, headers);
      case 'bridge-token':
        return { status: HttpStatus.OK, headers, body: outcome.answer };
      case 'inspect':
        return { status: HttpStatus.OK, headers, body: outcome.result };
    }
  }

  /** `OPTIONS`: 204 for an allowed origin (the account's, or any account's without a key). */
  preflight(verdict: CrossOriginVerdict): VisitorResponse {
    if (verdict.kind === 'refused') return REFUSED;
    const prefix = this.tenants.serverPrefix;
    const headers = this.cors(verdict);
    headers['access-control-allow-methods'] = 'GET, POST, OPTIONS';
    headers['access-control-allow-headers'] =
      `content-type, ${prefix}apikey, ${prefix}cookie, ${prefix}bridge, ${prefix}${TCF_HEADER}, ${prefix}${GOOGLE_CONSENT_HEADER}`;
    headers['access-control-max-age'] = PREFLIGHT_MAX_AGE;
    return { status: HttpStatus.NO_CONTENT, headers };
  }

  /**
   * A visitor call whose key names no account (missing or unknown): its 401, with a CORS grant
   * for an origin some account allows (as the preflight gives one), so that the snippet reads
   * Pantry's code instead of an unreadable answer. Nothing else is set.
   */
  noAccount(verdict: CrossOriginVerdict, error: PantryError): VisitorResponse<never> {
    if (verdict.kind === 'refused') return errorAnswer(error, { vary: 'Origin' });
    const headers = this.cors(verdict);
    headers['cache-control'] = 'no-store';
    return errorAnswer(error, headers);
  }

  /**
   * The `Set-Cookie` lines of a visit (document mode: an HTML page served through Pantry sets
   * the cookies itself), with the domain resolved for the page's host, and the keeper's.
   */
  setCookieLines(plan: CookiePlan, verdict: AcceptedVerdict, outcome: VisitOutcome): string[] {
    const lines = keptLines(plan, verdict, outcome);
    if (outcome.writes.length === 0) return lines;
    const ctx = cookieContext(plan, verdict);
    return [...outcome.writes.map((w) => setCookieLine(plan, w, ctx)), ...lines];
  }

  /**
   * `GET …/v1/edge` (SPEC §16): a document's cookie lines for the site's own proxy to copy, one
   * per numbered header (identity first, at most EDGE_COOKIE_SLOTS), and the Cache-Control it
   * adds when there are any; `visit` null: a URI that is not the site's document (none). Never
   * cached.
   */
  edge(account: VisitorAccount, visit: DocumentVisit | null): VisitorResponse {
    const headers: Headers = { 'cache-control': 'no-store' };
    if (!visit) return { status: HttpStatus.NO_CONTENT, headers, outcome: 'not_a_document' };
    const lines = this.setCookieLines(account.plan, visit.verdict, visit.outcome);
    const prefix = this.tenants.serverPrefix;
    const slots = memoised(EDGE_HEADERS, prefix, () => edgeCookieHeaders(prefix));
    const sent = Math.min(lines.length, slots.length);
    for (let i = 0; i < sent; i++) headers[slots[i]] = lines[i];
    if (sent > 0) headers[`${prefix}${EDGE_CACHE_CONTROL_HEADER}`] = 'private';
    return {
      status: HttpStatus.NO_CONTENT,
      headers,
      outcome: visit.outcome.visit.issued.length > 0 ? 'issued' : 'refreshed',
    };
  }

  /** An edge request Pantry refuses (no account serves the host): the proxy serves the page as it is. */
  edgeRefusal(error: PantryError): VisitorResponse<never> {
    return errorAnswer(error, { 'cache-control': 'no-store' });
  }

  /**
   * `GET …/v1/keep.js` (SPEC §14): what identify sets, as a script that hands identify's answer
   * to the snippet; a refusal (no such key, a refused origin) sets nothing and only warns.
   * Never cached: every page view's answer sets this visitor's cookies.
   */
  keepScript(
    account: VisitorAccount | null,
    verdict: AcceptedVerdict | null,
    outcome: VisitorOutcome,
  ): VisitorResponse<string> {
    const headers: Headers = { 'cache-control': 'no-store', ...KEEP_SCRIPT_HEADERS };
    if (!account || !verdict || outcome.kind !== 'visit') {
      const error =
        outcome.kind === 'refusal'
          ? outcome.error
          : new PantryError(ErrorCode.BadRequest, 'keep.js answers only a visit.');
      return {
        status: HttpStatus.OK,
        headers,
        body: keepRefusal(error.code, error.message),
        outcome: error.code,
      };
    }
    const lines = this.setCookieLines(account.plan, verdict, outcome);
    if (lines.length) headers['set-cookie'] = lines;
    return {
      status: HttpStatus.OK,
      headers,
      body: keepScript(this.tenants.serverPrefix, account.apiKey, identifyBody(account, outcome)),
      // The body is a script: the access log's outcome is identify's.
      outcome: outcome.visit.issued.length > 0 ? 'issued' : 'refreshed',
    };
  }

  /** The CORS grant of an accepted origin (a fresh object: the caller adds to it). */
  private cors(verdict: AcceptedVerdict): Headers {
    if (verdict.kind !== 'allowed') return { vary: 'Origin' };
    return {
      'access-control-allow-origin': verdict.origin,
      'access-control-allow-credentials': 'true',
      'access-control-expose-headers': `${this.tenants.serverPrefix}set-cookie`,
      vary: 'Origin',
    };
  }

  /**
   * Adds the `Set-Cookie` lines (the keeper's too) and, on allowed cross-origin responses, the
   * relay header (never the keeper's: it keeps nothing cross-site).
   */
  private addCookieHeaders(
    headers: Headers,
    plan: CookiePlan,
    verdict: AcceptedVerdict,
    outcome: VisitOutcome,
  ): void {
    const { writes } = outcome;
    if (writes.length === 0 && outcome.kept.length === 0) return;
    headers['set-cookie'] = this.setCookieLines(plan, verdict, outcome);
    if (verdict.kind === 'allowed' && writes.length > 0) {
      const ctx = cookieContext(plan, verdict);
      headers[`${this.tenants.serverPrefix}set-cookie`] = encodeRelayEntries(
        plan.mode,
        writes.map((w) => relayEntry(plan, w, ctx)),
      );
    }
  }
}

/** What keep.js says: a script, not sniffed, loadable from the site's pages. */
const KEEP_SCRIPT_HEADERS = {
  'content-type': 'application/javascript; charset=utf-8',
  'x-content-type-options': 'nosniff',
  'cross-origin-resource-policy': 'cross-origin',
} as const;

/** The numbered edge headers per header prefix (one prefix per server). */
const EDGE_HEADERS = new Map<string, readonly string[]>();

/** The page hosts' registrable domains (the Public Suffix List is not read per request). */
const KEPT_DOMAINS = new Map<string, string | null>();

/** The keeper's `Set-Cookie` lines (SPEC §14): on the page's registrable domain, not HttpOnly. */
function keptLines(plan: CookiePlan, verdict: AcceptedVerdict, outcome: VisitOutcome): string[] {
  if (outcome.kept.length === 0) return [];
  const host = verdict.contextHost;
  const attrs = {
    domain: host ? memoised(KEPT_DOMAINS, host, () => keptCookieDomain(host)) : null,
    secure: plan.secure,
  };
  return outcome.kept.map((w) => keptSetCookieLine(w, attrs));
}

/** Domains and SameSite of the cookies a response sets, for the page's host. */
function cookieContext(plan: CookiePlan, verdict: AcceptedVerdict): ResponseCookieContext {
  const domains = planDomains(plan, verdict.contextHost, verdict.serverHost);
  return {
    setCookieDomain: domains.setCookie,
    relayDomain: domains.relay,
    sameSite: resolveSameSite(
      plan.sameSite,
      plan.secure,
      verdict.kind === 'allowed' && verdict.crossSite,
    ),
    now: Math.floor(Date.now() / 1000),
  };
}

/** The identify answer (SPEC §5), with the customer and the bridge's fate where there are. */
function identifyBody(account: VisitorAccount, outcome: VisitOutcome): IdentifyResult {
  const { consent, deviceId, visitorId, sessionId, issued } = outcome.visit;
  const body: IdentifyResult = outcome.customerId
    ? {
        account: account.accountId,
        visitorId,
        deviceId,
        sessionId,
        consent,
        issued,
        customerId: outcome.customerId,
      }
    : { account: account.accountId, visitorId, deviceId, sessionId, consent, issued };
  return outcome.bridge ? { ...body, ...outcome.bridge } : body;
}

function errorAnswer(error: PantryError, headers: Headers): VisitorResponse<never> {
  return {
    status: ERROR_STATUS[error.code],
    headers,
    body: errorBody(ERROR_STATUS[error.code], error.code, error.message, error.details) as never,
  };
}
