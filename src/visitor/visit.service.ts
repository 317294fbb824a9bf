import { Injectable } from '@nestjs/common';
import { CookieWrite } from '../cookies/cookie-plan';
import { newId } from '../cookies/cookie-signer';
import { CookieSignerService } from '../cookies/cookie-signer.service';
import { AuthService } from '../auth/auth.service';
import { MetricsService } from '../metrics/metrics.service';
import { ConfigurationService } from '../properties/configuration.service';
import { VisitorRegistryService } from '../registry/visitor-registry.service';
import { VisitorAccount } from '../tenants/tenant.service';
import { ConsentMetrics } from './consent-metrics';
import { ConsentSignal, readConsentSignal, signalOutcome } from './consent-signal';
import { readCookies, RequestCookies, withFound } from './request-cookies';
import { decideVisit, VisitDecision } from './visit-decision';
import { BridgeRedemption, NOTHING_KEPT, VisitOutcome } from './visitor-outcome';
import { VisitorRequest } from './visitor-request';

/**
 * One visit, the steps every visitor call shares: read the request's cookies, look its login
 * session up, decide (decideVisit), give the decision's cookie actions their values, queue the
 * sighting and count. Its lookups are the signer, the registry (in memory) and the auth
 * session (cached per node).
 */
@Injectable()
export class VisitService {
  constructor(
    private readonly configuration: ConfigurationService,
    private readonly signer: CookieSignerService,
    private readonly registry: VisitorRegistryService,
    private readonly auth: AuthService,
    private readonly metrics: MetricsService,
    private readonly consentMetrics: ConsentMetrics,
  ) {}

  /** The account as a metrics label: only where `server.metricsPerAccount` says so. */
  accountLabel(accountId: string): string {
    return this.configuration.configuration.app.values['server.metricsPerAccount']
      ? accountId
      : '-';
  }

  read(account: VisitorAccount, req: VisitorRequest): RequestCookies {
    return readCookies(account, req, this.signer, this.registry);
  }

  /**
   * Looks the request's authsession up: a live session of this account is kept (and refreshed);
   * anything else that came (undecryptable, revoked, expired, foreign) is deleted. Returns the
   * cookies with what it learnt, and the session's customer id.
   */
  async withSession(
    account: VisitorAccount,
    cookies: RequestCookies,
  ): Promise<[RequestCookies, string | null]> {
    if (cookies.authValues.length === 0) return [cookies, null];
    const valid = await this.auth.valid(
      account.accountId,
      this.auth.candidates([...cookies.authValues]),
    );
    if (!valid) return [withFound(cookies, {}, true), null];
    const authsession = { id: valid.sessionId, current: true, value: valid.value };
    return [withFound(cookies, { authsession }), valid.customerId];
  }

  decide(
    account: VisitorAccount,
    req: VisitorRequest,
    cookies: RequestCookies,
    decision: boolean | undefined,
  ): VisitDecision {
    return decideVisit({
      found: cookies.found,
      present: cookies.present,
      dropAuthsession: cookies.dropAuthsession,
      decision,
      source: account.plan.consentSource,
      signal: decision === undefined ? this.signal(account, req) : null,
      gpc: req.gpc,
      consentRequired: account.plan.consentRequired,
      honorGpc: account.plan.honorGpc,
      newId,
    });
  }

  /** The CMP's signal on the request (SPEC §15), counted; null on a `PANTRY` account. */
  private signal(account: VisitorAccount, req: VisitorRequest): ConsentSignal | null {
    const { plan, accountId } = account;
    if (plan.consentSource === 'PANTRY') return null;
    const signal = readConsentSignal({
      source: plan.consentSource,
      tcf: plan.tcf,
      tcfHeader: req.tcf,
      gcmHeader: req.gcm,
      cookie: req.cookie,
    });
    if (signal)
      this.consentMetrics.count(
        plan.consentSource,
        signalOutcome(signal),
        this.accountLabel(accountId),
      );
    return signal;
  }

  /**
   * Decides, gives the decision's cookie actions their values (signed ids, values re-sent as
   * they came), queues the sighting and counts the cookies.
   */
  visit(
    account: VisitorAccount,
    req: VisitorRequest,
    cookies: RequestCookies,
    decision: boolean | undefined,
    customerId: string | null,
    bridge: BridgeRedemption | undefined,
  ): VisitOutcome {
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
    const decided = visit.recorded ?? undefined;
    if (visit.visitorId) {
      this.registry.record(accountId, visit.visitorId, visit.deviceId, visit.consent, decided);
    } else if (decided) {
      // A withdrawal: the visitor it came from keeps it on record (source and time).
      const previous = cookies.found['anonymous-person']?.id;
      if (previous) this.registry.record(accountId, previous, null, visit.consent, decided);
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
    return { kind: 'visit', visit, writes, customerId, bridge, kept: NOTHING_KEPT };
  }
}
