import { CookieKind } from '../vocabulary/cookie-catalog';
import type { ConsentState } from '../vocabulary/visitor-answers';

/** A cookie value that verified for the account and cookie, and is not erased. */
export interface FoundValue {
  readonly id: string;
  /** Signed with the current secret: it can be re-sent as it came. */
  readonly current: boolean;
  /** The value as it came. */
  readonly value: string;
  /**
   * Not from the browser: chosen by this request (a login's linked id or new session), so
   * the answer issues it anew and lists it in `issued`.
   */
  readonly fresh?: boolean;
}

/** What the request brought and asked for; everything the decision depends on. */
export interface VisitInput {
  /** The first valid value of each cookie, or null. */
  readonly found: Readonly<Partial<Record<CookieKind, FoundValue | null>>>;
  /** Cookies that arrived with any non-empty value, valid or not (so a refusal can delete them). */
  readonly present: ReadonlySet<CookieKind>;
  /** An explicit consent decision (the consent route), or undefined. */
  readonly decision: boolean | undefined;
  /** `Sec-GPC: 1`. */
  readonly gpc: boolean;
  readonly consentRequired: boolean;
  readonly honorGpc: boolean;
  /** A fresh random id. */
  readonly newId: () => string;
  /** The authsession that came is not a live session of this account (delete it). */
  readonly dropAuthsession?: boolean;
}

/**
 * What to do with one cookie: `issue` a new id, `resign` a valid id (an older secret signed
 * it, or it is a new decision), `resend` a valid value as it came (its expiry moves forward),
 * or `delete` it.
 */
export type CookieAction =
  | { readonly kind: CookieKind; readonly op: 'issue' | 'resign'; readonly id: string }
  | { readonly kind: CookieKind; readonly op: 'resend'; readonly value: string }
  | { readonly kind: CookieKind; readonly op: 'delete' };

export interface VisitDecision {
  readonly consent: ConsentState;
  readonly deviceId: string | null;
  readonly visitorId: string | null;
  readonly sessionId: string;
  /** Cookies issued anew (not refreshed ones). */
  readonly issued: CookieKind[];
  readonly actions: CookieAction[];
}

/**
 * Decides what a visitor request does to the account's cookies (SPEC §3, §5): consent first
 * (an explicit decision, then the consent cookie, then Global Privacy Control); identity
 * cookies only when allowed, deleted when refused; durable cookies re-sent so their expiry
 * moves forward; the session kept or issued; a valid authsession refreshed. Pure: identify,
 * consent and document mode render the same decision into their responses.
 */
export function decideVisit(input: VisitInput): VisitDecision {
  const actions: CookieAction[] = [];
  const issued: CookieKind[] = [];
  // A value this request chose itself (`fresh`) is issued, though built like a refresh.
  const refresh = (kind: CookieKind, found: FoundValue) => {
    actions.push(
      found.current
        ? { kind, op: 'resend', value: found.value }
        : { kind, op: 'resign', id: found.id },
    );
    if (found.fresh) issued.push(kind);
  };

  const stored = input.found.consent ?? null;
  let consent: ConsentState;
  if (input.decision !== undefined) {
    consent = input.decision ? 'granted' : 'denied';
    actions.push({ kind: 'consent', op: 'resign', id: consent });
  } else if (stored) {
    consent = stored.id as ConsentState;
    refresh('consent', stored);
  } else {
    consent = input.honorGpc && input.gpc ? 'denied' : 'unset';
  }
  const identityAllowed = consent === 'granted' || (consent === 'unset' && !input.consentRequired);

  const identity = (kind: 'device' | 'anonymous-person'): string | null => {
    if (!identityAllowed) {
      if (input.present.has(kind)) actions.push({ kind, op: 'delete' });
      return null;
    }
    const existing = input.found[kind];
    if (existing) {
      refresh(kind, existing);
      return existing.id;
    }
    const id = input.newId();
    issued.push(kind);
    actions.push({ kind, op: 'issue', id });
    return id;
  };
  const deviceId = identity('device');
  const visitorId = identity('anonymous-person');

  // A browser-session cookie: re-sent only when an older secret signed it.
  const session = input.found.session;
  let sessionId: string;
  if (session) {
    sessionId = session.id;
    if (!session.current) actions.push({ kind: 'session', op: 'resign', id: session.id });
  } else {
    sessionId = input.newId();
    issued.push('session');
    actions.push({ kind: 'session', op: 'issue', id: sessionId });
  }

  const authsession = input.found.authsession;
  if (authsession) {
    refresh('authsession', authsession);
  } else if (input.dropAuthsession) actions.push({ kind: 'authsession', op: 'delete' });

  return { consent, deviceId, visitorId, sessionId, issued, actions };
}
