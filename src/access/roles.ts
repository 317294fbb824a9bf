/**
 * Per-account access (SPEC §19): the roles an account credential can have, and the one
 * authorization decision every admin route goes through. Pure: the admin guard supplies the
 * principal, the route's policy (declared next to the route) and the account in the path.
 */

export const ROLES = ['owner', 'editor', 'privacy', 'reader', 'backend'] as const;
export type Role = (typeof ROLES)[number];

export const isRole = (value: string): value is Role =>
  (ROLES as readonly string[]).includes(value);

/** Who a request is: the global admin token, or an account credential. */
export type Principal =
  | { readonly kind: 'admin' }
  | {
      readonly kind: 'credential';
      readonly id: string;
      readonly name: string;
      readonly accountId: string;
      readonly role: Role;
    };

/**
 * A route's policy: `server` (server-wide: the admin token only), or `account` with the roles
 * that may call it on their own account (`:id` in the path).
 */
export type RoutePolicy =
  { readonly kind: 'server' } | { readonly kind: 'account'; readonly roles: readonly Role[] };

/** The decision: allowed, or why not (the guard turns each into its answer). */
export type Verdict =
  | { readonly kind: 'allow' }
  /** Another account's route: answered as if that account did not exist (no enumeration). */
  | { readonly kind: 'hidden'; readonly accountId: string }
  | { readonly kind: 'server-route' }
  | { readonly kind: 'role'; readonly role: Role };

/**
 * SPEC §19: the admin token may everything; a credential may a route of its own account whose
 * policy names its role; another account's route is hidden (404) whatever the role; a
 * server-wide route, a route without a policy (fail closed) or outside the role is refused (403).
 */
export function authorize(
  principal: Principal,
  policy: RoutePolicy | undefined,
  accountInPath: string | undefined,
): Verdict {
  if (principal.kind === 'admin') return { kind: 'allow' };
  if (!policy || policy.kind === 'server' || accountInPath === undefined) {
    return { kind: 'server-route' };
  }
  if (accountInPath !== principal.accountId) return { kind: 'hidden', accountId: accountInPath };
  return policy.roles.includes(principal.role)
    ? { kind: 'allow' }
    : { kind: 'role', role: principal.role };
}

/** How an audit entry names the principal: `admin@<client>` or the credential's id and name. */
export function actorOf(principal: Principal, client: string): string {
  return principal.kind === 'admin'
    ? `admin@${client}`
    : `credential:${principal.id} (${principal.name})`;
}
