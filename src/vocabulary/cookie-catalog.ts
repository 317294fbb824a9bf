/**
 * The cookies Pantry issues (SPEC §3). The property catalog derives the per-cookie name
 * properties (`identifier.<cookie>CookieName`) from this list, so a cookie is added here once.
 */
export const COOKIE_KINDS = [
  'device',
  'anonymous-person',
  'session',
  'authsession',
  'consent',
  'lang',
] as const;

export type CookieKind = (typeof COOKIE_KINDS)[number];

/** One record per cookie: everything about it that is not its name (SPEC §3). */
export interface CookieRecord {
  /** The property holding its lifetime (a catalog key); null: a browser-session cookie. */
  readonly lifetimeKey: string | null;
  /** What it is for (the README's cookie table). */
  readonly purpose: string;
  /** Issued only with consent (an identity cookie). */
  readonly gated: boolean;
}

export const COOKIE_CATALOG: Readonly<Record<CookieKind, CookieRecord>> = {
  device: {
    lifetimeKey: 'identifier.deviceCookieMaxAge',
    purpose: 'identifies the browser',
    gated: true,
  },
  'anonymous-person': {
    lifetimeKey: 'identifier.anonymousPersonCookieMaxAge',
    purpose: 'durable anonymous visitor id (the single-customer-view id)',
    gated: true,
  },
  session: { lifetimeKey: null, purpose: 'the visitor’s session', gated: false },
  authsession: {
    lifetimeKey: 'authentication.cookieMaxAgeSeconds',
    purpose: 'authenticated session; refreshed when valid, not issued by identify',
    gated: false,
  },
  consent: {
    lifetimeKey: 'consent.cookieMaxAge',
    purpose: 'the visitor’s consent decision (`granted` / `denied`, signed)',
    gated: false,
  },
  lang: {
    lifetimeKey: null,
    purpose: 'language preference; named by Pantry, not issued by identify',
    gated: false,
  },
};

type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;

/** `anonymous-person` → `anonymousPerson`, as used in property names. */
export type CookieCamelName<K extends CookieKind = CookieKind> = CamelCase<K>;

export function cookieCamelName<K extends CookieKind>(kind: K): CookieCamelName<K> {
  return kind.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()) as CookieCamelName<K>;
}

export function isCookieKind(value: string): value is CookieKind {
  return (COOKIE_KINDS as readonly string[]).includes(value);
}
