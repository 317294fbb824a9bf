import { Injectable } from '@nestjs/common';
import { ErrorCode, PantryError } from '../common/errors';
import { newId } from '../cookies/cookie-signer';
import { verifyAssertion } from '../auth/assertion';
import { AuthService } from '../auth/auth.service';
import { LoginRefusedError } from '../auth/login-refusal';
import { MetricsService } from '../metrics/metrics.service';
import { TenantService, VisitorAccount } from '../tenants/tenant.service';
import { chosenId, withFound } from './request-cookies';
import { VisitService } from './visit.service';
import { refusal, VisitOutcome, VisitorOutcome } from './visitor-outcome';
import { VisitorRequest } from './visitor-request';

/** The `outcome` label of the login counter (SPEC §11). */
type LoginOutcome =
  | 'login'
  | 'login_fresh_visitor'
  | 'logout'
  | 'logout_without_session'
  | 'assertion_reused'
  | ErrorCode;

/** Login and logout (SPEC §11): a customer's session on this visitor, decided as identify is. */
@Injectable()
export class LoginService {
  constructor(
    private readonly visits: VisitService,
    private readonly tenants: TenantService,
    private readonly auth: AuthService,
    private readonly metrics: MetricsService,
  ) {}

  /** `POST …/v1/login` (SPEC §11): a verified assertion links this visitor to the customer. */
  async login(
    account: VisitorAccount,
    req: VisitorRequest,
    assertion: unknown,
  ): Promise<VisitorOutcome> {
    const props = this.tenants.current.propertiesOf(account.accountId).values;
    const secret = props['authentication.assertionSecret'];
    if (!secret) {
      return refusal(
        new PantryError(
          ErrorCode.LoginDisabled,
          'Login is not enabled for this account: set authentication.assertionSecret.',
        ),
      );
    }
    const verified = await verifyAssertion(assertion, secret, account.accountId);
    if (!verified.ok) {
      const code =
        verified.code === 'invalid_customer_id'
          ? ErrorCode.InvalidCustomerId
          : ErrorCode.InvalidAssertion;
      this.countLogin(account, code);
      return refusal(new PantryError(code, verified.message));
    }
    const [cookies] = await this.visits.withSession(account, this.visits.read(account, req));
    const pre = this.visits.decide(account, req, cookies, undefined);
    if (pre.visitorId === null) {
      this.countLogin(account, ErrorCode.ConsentRequired);
      return refusal(
        new PantryError(
          ErrorCode.ConsentRequired,
          'Login links the visitor’s identity: it needs consent first.',
        ),
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
      if (!(e instanceof PantryError)) throw e;
      // A reused jti and a forged signature share their code: the reason tells them apart.
      this.countLogin(account, e instanceof LoginRefusedError ? e.reason : e.code);
      return refusal(e);
    }
    // Ids this login chose (a fresh browser's, a new customer's on a shared device) and its
    // session are issued anew: the answer's `issued` lists them.
    const person = cookies.found['anonymous-person'];
    const authsession = {
      id: session.sessionId,
      current: true,
      value: session.value,
      fresh: true,
    };
    const loggedIn = withFound(
      cookies,
      session.visitorId !== person?.id
        ? { 'anonymous-person': chosenId(session.visitorId), authsession }
        : { authsession },
      false,
    );
    this.countLogin(account, session.visitorId === pre.visitorId ? 'login' : 'login_fresh_visitor');
    return this.visits.visit(account, req, loggedIn, undefined, verified.customerId, undefined);
  }

  /**
   * `POST …/v1/logout`: the session is revoked and its cookie deleted; with
   * `authentication.rotateOnLogout` the visitor gets a new anonymous-person id.
   */
  async logout(account: VisitorAccount, req: VisitorRequest): Promise<VisitOutcome> {
    const [cookies] = await this.visits.withSession(account, this.visits.read(account, req));
    const session = cookies.found.authsession;
    if (session) await this.auth.revoke(session.id);
    this.countLogin(account, session ? 'logout' : 'logout_without_session');
    const props = this.tenants.current.propertiesOf(account.accountId).values;
    // Rotated: without its anonymous-person value, the decision issues a new one.
    const rotate = props['authentication.rotateOnLogout'] && !!cookies.found['anonymous-person'];
    const loggedOut = withFound(
      cookies,
      rotate ? { authsession: null, 'anonymous-person': null } : { authsession: null },
      cookies.authValues.length > 0,
    );
    return this.visits.visit(account, req, loggedOut, undefined, null, undefined);
  }

  private countLogin(account: VisitorAccount, outcome: LoginOutcome): void {
    this.metrics.logins.inc({ outcome, account: this.visits.accountLabel(account.accountId) });
  }
}
