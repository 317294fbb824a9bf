/**
 * Edge mode (SPEC §16): the answer the site's own proxy copies onto a document. nginx cannot
 * copy a repeated header from an `auth_request` subrequest (its `$upstream_http_set_cookie` is the
 * first line only), so each cookie line travels in a numbered header of its own, and the
 * README's configuration copies each slot. Pure data, shared by the visitor API and the tests.
 */

/**
 * The cookie lines one edge answer carries at most: identity cookies first (at most six, one per
 * kind of the cookie catalog), then the keeper's. Lines that do not fit come with the next
 * document (the keeper sets again what is still missing, a denied visitor's cookies are deleted
 * again while they are sent).
 */
export const EDGE_COOKIE_SLOTS = 8;

/** `<prefix>edge-cookie-<n>`, n = 1…EDGE_COOKIE_SLOTS: the Set-Cookie line of slot n. */
export function edgeCookieHeaders(prefix: string): readonly string[] {
  return Array.from({ length: EDGE_COOKIE_SLOTS }, (_, i) => `${prefix}edge-cookie-${i + 1}`);
}

/** `<prefix>edge-cache-control`: what the proxy adds to a document that sets cookies. */
export const EDGE_CACHE_CONTROL_HEADER = 'edge-cache-control';

/**
 * The header carrying the original request's URI (nginx `$request_uri`): a URI under Pantry's
 * own public path is not a document of the site and gets no cookies.
 */
export const EDGE_URI_HEADER = 'x-forwarded-uri';

/** Whether a request URI (path and query) is `base` or under it: Pantry's own, not the site's. */
export function underPath(uri: string | undefined, base: string): boolean {
  if (uri === undefined || !uri.startsWith(base)) return false;
  const next = uri.charCodeAt(base.length);
  // end, '/', '?' or '#'
  return Number.isNaN(next) || next === 47 || next === 63 || next === 35;
}
