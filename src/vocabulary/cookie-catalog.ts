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
