import {
  ConsentSource,
  consentCookieId,
  DecisionSource,
  readConsentCookieId,
} from '../vocabulary/consent';
import { CookieKind } from '../vocabulary/cookie-catalog';
import type { ConsentState } from '../vocabulary/visitor-answers';
import type { ConsentSignal } from './consent-signal';

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
  /** `consent.source`: where the account's consent comes from (SPEC §15). */
  readonly source: ConsentSource;
  /** What the site's CMP said on this request (readConsentSignal), or null. */
  readonly signal: ConsentSignal | null;
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

/** The consent decision a request recorded, for the visitor record (never the TC string). */
export interface RecordedConsent {
  readonly source: DecisionSource;
  /** TCF: the purposes the string consents to; Google Consent Mode: none. */
  readonly purposes: readonly number[];
}

export interface VisitDecision {
  readonly consent: ConsentState;
  /**
   * The decision this request recorded in the consent cookie where it differs from the one
   * that came (a `consent()` call, always), else null: a repeated CMP answer is a refresh.
   */
  readonly recorded: RecordedConsent | null;
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

  const { consent, recorded, identityAllowed } = decideConsent(input, actions, refresh);
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

  return { consent, recorded, deviceId, visitorId, sessionId, issued, actions };
}

/**
 * The consent step (SPEC §3, §15), in order: an explicit `consent()` decision; the CMP's signal
 * (a TC string decides and is recorded, `gdprApplies: false` grants for this request unless
 * GPC, a string that does not decode denies and is recorded; a Consent Mode `update` decides and
 * is recorded, a `default` counts only where nothing is recorded and GPC turns its grant into a
 * denial); the decision recorded in the consent cookie (it outlives the CMP's own cookie); GPC;
 * else unset. Identity needs a grant, or `unset` on a `PANTRY` account without
 * `consent.required`: with a CMP, only its yes (or a recorded one) opens identity.
 */
function decideConsent(
  input: VisitInput,
  actions: CookieAction[],
  refresh: (kind: CookieKind, found: FoundValue) => void,
): { consent: ConsentState; recorded: RecordedConsent | null; identityAllowed: boolean } {
  const stored = input.found.consent ?? null;
  const was = stored ? readConsentCookieId(stored.id) : null;
  const gpcDenies = input.honorGpc && input.gpc;
  let recorded: RecordedConsent | null = null;
  /** Records a decision: re-sent as it came when the same decision of the same source came. */
  const record = (granted: boolean, source: DecisionSource, purposes: readonly number[] = []) => {
    const id = consentCookieId(granted, source);
    if (stored && stored.id === id && input.decision === undefined) refresh('consent', stored);
    else {
      actions.push({ kind: 'consent', op: 'resign', id });
      recorded = { source, purposes };
    }
    return granted ? 'granted' : 'denied';
  };
  const keepStored = (): ConsentState | null => {
    if (!stored || !was) return null;
    refresh('consent', stored);
    return was.granted ? 'granted' : 'denied';
  };

  let consent: ConsentState;
  const signal = input.signal;
  if (input.decision !== undefined) {
    consent = record(input.decision, 'pantry');
  } else if (signal?.kind === 'tcf' && signal.gdprApplies) {
    consent = record(signal.granted, 'tcf', signal.purposes);
  } else if (signal?.kind === 'tcf-invalid') {
    consent = record(false, 'tcf');
  } else if (signal?.kind === 'gcm' && signal.phase === 'update') {
    consent = record(signal.granted, 'gcm');
  } else if (signal?.kind === 'tcf') {
    // GDPR does not apply: no decision to record; a recorded one is left as it is.
    keepStored();
    consent = gpcDenies ? 'denied' : 'granted';
  } else if (signal?.kind === 'gcm') {
    consent = keepStored() ?? (signal.granted && !gpcDenies ? 'granted' : 'denied');
  } else {
    consent = keepStored() ?? (gpcDenies ? 'denied' : 'unset');
  }
  const identityAllowed =
    consent === 'granted' ||
    (consent === 'unset' && !input.consentRequired && input.source === 'PANTRY');
  return { consent, recorded, identityAllowed };
}
