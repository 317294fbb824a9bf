import { CookieDomainSetting } from '../properties/property-values';
import type { ConsentSource } from '../vocabulary/consent';
import {
  CorsCookieMode,
  PropertyKey,
  PropertyValues,
  SameSiteSetting,
  cookieNameKey,
} from '../properties/property-catalog';
import { memoised } from '../common/memo';
import { COOKIE_CATALOG, COOKIE_KINDS, CookieKind } from '../vocabulary/cookie-catalog';
import { CookieDomains, resolveCookieDomains } from './cookie-domain';
import { cookieName } from '../vocabulary/cookie-naming';
import { OriginMatcher } from '../vocabulary/origin-matcher';
import { RelayCookie, RelayEntry, RelayEntryParts, relayEntryParts } from './relay-header';

/** Browsers cap cookie lifetimes at 400 days (RFC 6265bis); Pantry applies the cap itself. */
export const MAX_AGE_CAP_SECONDS = 400 * 24 * 60 * 60;

// Views of the cookie catalog (vocabulary/cookie-catalog.ts, one record per cookie).

/** Lifetime property of each cookie; null: a browser-session cookie. */
export const COOKIE_LIFETIME = Object.fromEntries(
  COOKIE_KINDS.map((kind) => [kind, COOKIE_CATALOG[kind].lifetimeKey as PropertyKey | null]),
) as Readonly<Record<CookieKind, PropertyKey | null>>;

/** What each cookie is for (documentation). */
export const COOKIE_PURPOSE = Object.fromEntries(
  COOKIE_KINDS.map((kind) => [kind, COOKIE_CATALOG[kind].purpose]),
) as Readonly<Record<CookieKind, string>>;

/** Cookies issued only with consent (SPEC §3). */
export const CONSENT_GATED: ReadonlySet<CookieKind> = new Set(
  COOKIE_KINDS.filter((kind) => COOKIE_CATALOG[kind].gated),
);

interface CookieSpec {
  readonly kind: CookieKind;
  readonly name: string;
  /** Capped Max-Age in seconds; null for a session cookie. */
  readonly maxAge: number | null;
  readonly gated: boolean;
}

/**
 * Everything about an account's cookies that does not depend on the request, computed once per
 * (account, API key, configuration) so the request path only looks things up.
 */
export interface CookiePlan {
  readonly accountId: string;
  readonly apiKey: string;
  readonly cookies: Readonly<Record<CookieKind, CookieSpec>>;
  readonly path: string;
  readonly secure: boolean;
  readonly sameSite: SameSiteSetting;
  readonly partitioned: boolean;
  readonly domain: CookieDomainSetting;
  readonly clientDomain: CookieDomainSetting;
  readonly mode: CorsCookieMode;
  readonly consentRequired: boolean;
  readonly honorGpc: boolean;
  /** `consent.source` and, for TCF, what a TC string must consent to (SPEC §15). */
  readonly consentSource: ConsentSource;
  readonly tcf: { readonly purposes: readonly number[]; readonly vendorId: number | null };
  readonly origins: OriginMatcher;
  /** The names of all its cookies, to skip the site's own cookies when reading. */
  readonly names: ReadonlySet<string>;
  /** Memo of Set-Cookie attribute suffixes (see setCookieLine). */
  readonly suffixes: Map<string, string>;
  /** Memo of resolved domains per (context host, server host), bounded. */
  readonly domains: Map<string, CookieDomains>;
  /** Memo of relay entries' constant parts, per cookie kind and relay domain (see relayEntry). */
  readonly relayParts: Map<CookieKind, Map<string, RelayEntryParts>>;
}

export interface ServerCookieSettings {
  readonly multiAccount: boolean;
  readonly clusterEnabled: boolean;
}

/** Builds an account's cookie plan from its effective properties (pure). */
export function buildCookiePlan(
  accountId: string,
  apiKey: string,
  props: PropertyValues,
  server: ServerCookieSettings,
): CookiePlan {
  const scoped = new Set(props['identifier.accountScopedCookies']);
  const cookies = Object.fromEntries(
    COOKIE_KINDS.map((kind) => {
      const lifetimeKey = COOKIE_LIFETIME[kind];
      const lifetime = lifetimeKey === null ? null : (props[lifetimeKey] as number);
      const spec: CookieSpec = {
        kind,
        name: cookieName(kind, {
          prefix: props['identifier.cookieNamePrefix'],
          override: props[cookieNameKey(kind)],
          multiAccount: server.multiAccount,
          accountScoped: scoped.has(kind),
          apiKey,
        }),
        // 0 means "no lifetime": a browser-session cookie rather than one that dies at once.
        maxAge:
          lifetime === null || lifetime === 0 ? null : Math.min(lifetime, MAX_AGE_CAP_SECONDS),
        gated: CONSENT_GATED.has(kind),
      };
      return [kind, spec];
    }),
  ) as Record<CookieKind, CookieSpec>;
  return {
    accountId,
    apiKey,
    cookies,
    path: props['identifier.cookiePath'],
    secure: props['identifier.cookieSecureFlag'],
    sameSite: props['identifier.cookieSameSite'],
    partitioned: props['identifier.cookiePartitioned'],
    domain: server.clusterEnabled
      ? props['identifier.clusterUniverseCookieDomain']
      : props['identifier.cookieDomain'],
    clientDomain: props['identifier.visitorClientCookieDomain'],
    mode: props['server.cors.corsCookieMode'],
    consentRequired: props['consent.required'],
    honorGpc: props['consent.honorGlobalPrivacyControl'],
    consentSource: props['consent.source'],
    tcf: { purposes: props['consent.tcfPurposes'], vendorId: props['consent.tcfVendorId'] },
    origins: new OriginMatcher(props['server.cors.allowedOrigins']),
    names: new Set(Object.values(cookies).map((c) => c.name)),
    suffixes: new Map(),
    domains: new Map(),
    relayParts: new Map(),
  };
}

/** The plan's cookie domains for a request (memoised: hosts repeat, PSL look-ups cost). */
export function planDomains(
  plan: CookiePlan,
  contextHost: string | null,
  serverHost: string | null,
): CookieDomains {
  const key = `${contextHost ?? ''}\u0000${serverHost ?? ''}`;
  return memoised(plan.domains, key, () =>
    resolveCookieDomains({
      setting: plan.domain,
      clientSetting: plan.clientDomain,
      contextHost,
      serverHost,
    }),
  );
}

/** SameSite for a response: AUTO is None on allowed cross-site requests when Secure, else Lax. */
export function resolveSameSite(
  setting: SameSiteSetting,
  secure: boolean,
  crossSite: boolean,
): 'Lax' | 'Strict' | 'None' {
  if (setting !== 'AUTO') return setting;
  return crossSite && secure ? 'None' : 'Lax';
}

/** A cookie to write, or to delete (value null). */
export interface CookieWrite {
  readonly spec: CookieSpec;
  readonly value: string | null;
}

export interface ResponseCookieContext {
  readonly setCookieDomain: string | null;
  readonly relayDomain: string | null;
  readonly sameSite: 'Lax' | 'Strict' | 'None';
  /** Epoch seconds, for the relay copies' `expires`. */
  readonly now: number;
}

/**
 * The attributes after `name=value`, in the order the `cookie` package writes them. They depend
 * only on the plan, the cookie, the domain, SameSite and whether it is a deletion, so they are
 * built once per combination and kept on the plan.
 */
function attributeSuffix(
  plan: CookiePlan,
  spec: CookieSpec,
  domain: string | null,
  sameSite: 'Lax' | 'Strict' | 'None',
  deletion: boolean,
): string {
  const key = `${spec.kind}|${domain ?? ''}|${sameSite}|${deletion ? 1 : 0}`;
  return memoised(plan.suffixes, key, () => {
    const maxAge = deletion
      ? '; Max-Age=0'
      : spec.maxAge === null
        ? ''
        : `; Max-Age=${spec.maxAge}`;
    return (
      maxAge +
      (domain ? `; Domain=${domain}` : '') +
      `; Path=${plan.path}` +
      (deletion ? '; Expires=Thu, 01 Jan 1970 00:00:00 GMT' : '') +
      '; HttpOnly' +
      (plan.secure ? '; Secure' : '') +
      (plan.partitioned && plan.secure ? '; Partitioned' : '') +
      `; SameSite=${sameSite}`
    );
  });
}

/** The `Set-Cookie` line for a write or a deletion (HttpOnly always). */
export function setCookieLine(
  plan: CookiePlan,
  write: CookieWrite,
  ctx: ResponseCookieContext,
): string {
  const deletion = write.value === null;
  return `${write.spec.name}=${write.value ?? ''}${attributeSuffix(plan, write.spec, ctx.setCookieDomain, ctx.sameSite, deletion)}`;
}

/**
 * A write's entry in the relay header: relayCookie's, with its constant parts prepared once per
 * cookie and domain.
 */
export function relayEntry(
  plan: CookiePlan,
  write: CookieWrite,
  ctx: ResponseCookieContext,
): RelayEntry {
  let byDomain = plan.relayParts.get(write.spec.kind);
  if (!byDomain)
    plan.relayParts.set(write.spec.kind, (byDomain = new Map<string, RelayEntryParts>()));
  return {
    parts: memoised(byDomain, ctx.relayDomain ?? '', () =>
      relayEntryParts(relayCookie(plan, write, ctx)),
    ),
    value: write.value ?? '',
    expires: relayExpires(write, ctx),
  };
}

/** A relayed copy's `expires`: epoch seconds, null for a session cookie, 0 for a deletion. */
function relayExpires(write: CookieWrite, ctx: ResponseCookieContext): number | null {
  if (write.value === null) return 0;
  return write.spec.maxAge === null ? null : ctx.now + write.spec.maxAge;
}

/**
 * The relayed copy of a write, for the page: first-party there, so SameSite AUTO means Lax.
 */
export function relayCookie(
  plan: CookiePlan,
  write: CookieWrite,
  ctx: ResponseCookieContext,
): RelayCookie {
  return {
    name: write.spec.name,
    value: write.value ?? '',
    domain: ctx.relayDomain ? `.${ctx.relayDomain}` : null,
    path: plan.path,
    expires: relayExpires(write, ctx),
    secure: plan.secure,
    sameSite: plan.sameSite === 'AUTO' ? 'Lax' : plan.sameSite,
  };
}
