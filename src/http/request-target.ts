/**
 * How the head of a request is taken before any route sees it (RFC 9112 §3.2): the request
 * target's form and the Host header. Pure, so that the table of forms is tested on its own;
 * http-server.ts applies the answer.
 */
export type RequestHead =
  /** origin-form (`/path?query`) with at most one Host: the common case, nothing to do. */
  | { readonly kind: 'pass' }
  /** absolute-form: routed as `url` on `host` (the target's authority replaces Host). */
  | { readonly kind: 'rewrite'; readonly url: string; readonly host: string }
  /** `OPTIONS *`: a question about the server itself, answered without a route. */
  | { readonly kind: 'server-options' }
  /** A head no route may see: answered 400 with this message. */
  | { readonly kind: 'refuse'; readonly message: string };

const PASS: RequestHead = { kind: 'pass' };

/** `host[:port]` of an absolute-form target: a reg-name or IP literal, no userinfo. */
const AUTHORITY = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~!$&'()*+,;=%-]+)(?::[0-9]{0,5})?$/;
const ABSOLUTE = /^https?:\/\//i;

/** How many Host fields a raw header list carries (Node keeps only the first in `headers`). */
function hostFields(rawHeaders: readonly string[]): number {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i];
    if (name.length === 4 && name.toLowerCase() === 'host') count++;
  }
  return count;
}

/**
 * What to do with a request's head: origin-form passes; absolute-form (what a client set up
 * for a forward proxy sends, which a server MUST accept, §3.2.2) is routed by its path and
 * query on the host it names, whatever the Host header said; `OPTIONS *` is the server's to
 * answer; a second Host field (§3.2: 400), another form, another scheme or an authority with
 * userinfo is refused. Node's parser has already refused what is not HTTP at all.
 */
export function readRequestHead(
  method: string,
  url: string,
  rawHeaders: readonly string[],
): RequestHead {
  if (hostFields(rawHeaders) > 1) {
    return { kind: 'refuse', message: 'A request carries one Host header field, not several.' };
  }
  if (url.charCodeAt(0) === 47 /* '/' */) return PASS;
  if (url === '*') {
    return method === 'OPTIONS'
      ? { kind: 'server-options' }
      : { kind: 'refuse', message: 'The request target * is only for OPTIONS.' };
  }
  if (!ABSOLUTE.test(url)) {
    return {
      kind: 'refuse',
      message: 'The request target must be a path (/…) or an absolute http(s) URL.',
    };
  }
  const rest = url.slice(url.indexOf('//') + 2);
  const end = rest.search(/[/?#]/);
  const authority = end < 0 ? rest : rest.slice(0, end);
  if (!AUTHORITY.test(authority)) {
    return {
      kind: 'refuse',
      message: 'The request target’s authority must be host[:port], without user information.',
    };
  }
  const tail = end < 0 ? '' : rest.slice(end);
  if (tail.charCodeAt(0) === 35 /* '#' */) {
    return { kind: 'refuse', message: 'A request target carries no fragment (#…).' };
  }
  return {
    kind: 'rewrite',
    url: tail === '' ? '/' : tail.charCodeAt(0) === 63 /* '?' */ ? `/${tail}` : tail,
    host: authority.toLowerCase(),
  };
}
