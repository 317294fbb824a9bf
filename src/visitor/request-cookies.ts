import { cookieCandidates } from '../cookies/cookie-header';
import { CONSENT_GATED } from '../cookies/cookie-plan';
import type { CookieSigner } from '../cookies/cookie-signer';
import type { VisitorRegistryService } from '../registry/visitor-registry.service';
import type { VisitorAccount } from '../tenants/tenant.service';
import { readConsentCookieId } from '../vocabulary/consent';
import type { CookieKind } from '../vocabulary/cookie-catalog';
import type { FoundValue } from './visit-decision';
import type { VisitorRequest } from './visitor-request';

/** Why a value that came was refused (the cookie metrics' outcome). */
type Rejection = 'invalid' | 'erased';

/**
 * A request's cookies as the visitor API read them, immutable: a step that learns more (a
 * session looked up, a login's or a bridge's id) returns a new value (withFound).
 */
export interface RequestCookies {
  /** The first valid value of each cookie, or null. */
  readonly found: Readonly<Partial<Record<CookieKind, FoundValue | null>>>;
  /** Consent-gated cookies that came with any non-empty value (so a refusal deletes them). */
  readonly present: ReadonlySet<CookieKind>;
  /** The authsession values that came (checked by a session lookup, when one is made). */
  readonly authValues: readonly string[];
  /** The authsession that came is not a live session of this account: delete it. */
  readonly dropAuthsession: boolean;
  /** Values that came and were refused (for the metrics). */
  readonly rejected: ReadonlyArray<readonly [CookieKind, Rejection]>;
}

const GATED_KINDS = [...CONSENT_GATED];

/**
 * The request's valid values of the account's cookies (signed for this account and cookie, not
 * erased), and which gated ones came at all. The authsession is encrypted and only valid as a
 * live session: its values are kept for a session lookup, `found.authsession` is null.
 */
export function readCookies(
  account: VisitorAccount,
  req: VisitorRequest,
  signer: CookieSigner,
  registry: VisitorRegistryService,
): RequestCookies {
  const { plan, accountId } = account;
  const candidates = cookieCandidates(req.cookie, req.echo, plan.names);
  const values = (kind: CookieKind) => candidates.get(plan.cookies[kind].name) ?? [];

  const rejected: Array<[CookieKind, Rejection]> = [];
  /** The first candidate that verifies for this account and cookie and is not erased. */
  const read = (kind: CookieKind): FoundValue | null => {
    let reason: Rejection | null = null;
    for (const value of values(kind)) {
      if (value === '') continue;
      const verified = signer.verify(accountId, kind, value);
      if (!verified) {
        reason ??= 'invalid';
        continue;
      }
      if (
        kind === 'consent'
          ? readConsentCookieId(verified.id) === null
          : registry.isErased(accountId, verified.id)
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
      authsession: null,
    },
    present,
    authValues: values('authsession').filter((v) => v !== ''),
    dropAuthsession: false,
    rejected,
  };
}

/** The cookies with some found values replaced (and, when given, whether to drop the authsession). */
export function withFound(
  cookies: RequestCookies,
  changes: Readonly<Partial<Record<CookieKind, FoundValue | null>>>,
  dropAuthsession = cookies.dropAuthsession,
): RequestCookies {
  return { ...cookies, found: { ...cookies.found, ...changes }, dropAuthsession };
}

/** An id this request chose (not from the browser): signed and issued anew, listed in `issued`. */
export function chosenId(id: string): FoundValue {
  return { id, current: false, value: '', fresh: true };
}
