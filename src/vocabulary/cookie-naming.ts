import { CookieKind } from './cookie-catalog';

export interface NamingInput {
  readonly prefix: string;
  /** `identifier.<cookie>CookieName`, or null for the catalog name. */
  readonly override: string | null;
  readonly multiAccount: boolean;
  /** Whether the cookie is in `identifier.accountScopedCookies`. */
  readonly accountScoped: boolean;
  /** The API key the request came with. */
  readonly apiKey: string;
}

/**
 * SPEC §3 Naming: prefix + [apiKey + "-" in multi-account mode for account-scoped cookies]
 * + (override or catalog name).
 */
export function cookieName(kind: CookieKind, input: NamingInput): string {
  const scope = input.multiAccount && input.accountScoped ? `${input.apiKey}-` : '';
  return `${input.prefix}${scope}${input.override ?? kind}`;
}
