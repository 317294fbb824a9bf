import { memoised } from '../common/memo';
import { normalizeHost, registrableDomain } from '../cookies/cookie-domain';
import { normalizeOrigin, OriginMatcher, originHost } from '../vocabulary/origin-matcher';
import { VisitorRequest } from './visitor-request';

export type CrossOriginVerdict =
  | {
      readonly kind: 'same-origin';
      readonly serverHost: string | null;
      readonly contextHost: string | null;
    }
  | {
      readonly kind: 'allowed';
      readonly origin: string;
      readonly serverHost: string | null;
      readonly contextHost: string;
      /** Schemeful cross-site: SameSite AUTO becomes None (when Secure). */
      readonly crossSite: boolean;
    }
  | { readonly kind: 'refused' };

/** A verdict that lets the request through (same-origin, or an allowed origin). */
export type AcceptedVerdict = Exclude<CrossOriginVerdict, { readonly kind: 'refused' }>;

const site = (host: string) => registrableDomain(host) ?? host;

const memo = new WeakMap<OriginMatcher, Map<string, CrossOriginVerdict>>();

/**
 * SPEC §4: a request without `Origin`, or from the server's own origin, is same-origin; any
 * other origin must be on the account's allowlist (exactly, or by a `*.` wildcard). Memoised per
 * allowlist: the same few origins and hosts come back on every request.
 */
export function crossOriginVerdict(
  req: Pick<VisitorRequest, 'origin' | 'host' | 'protocol'>,
  allowed: OriginMatcher,
): CrossOriginVerdict {
  const rawHost = req.host;
  const proto = req.protocol;
  const key = `${req.origin ?? ''}\u0000${rawHost ?? ''}\u0000${proto}\u0000${req.origin === undefined ? 0 : 1}`;
  let verdicts = memo.get(allowed);
  if (!verdicts) {
    verdicts = new Map<string, CrossOriginVerdict>();
    memo.set(allowed, verdicts);
  }
  return memoised(verdicts, key, () => computeVerdict(req.origin, rawHost, proto, allowed));
}

function computeVerdict(
  rawOrigin: string | undefined,
  rawHost: string | undefined,
  proto: 'http' | 'https',
  allowed: OriginMatcher,
): CrossOriginVerdict {
  const host = normalizeHost(rawHost);
  const ownOrigin = host && rawHost ? normalizeOrigin(`${proto}://${rawHost.trim()}`) : null;
  if (rawOrigin === undefined) {
    return { kind: 'same-origin', serverHost: host, contextHost: host };
  }
  const origin = normalizeOrigin(rawOrigin);
  if (origin === null) return { kind: 'refused' };
  if (origin === ownOrigin) {
    return { kind: 'same-origin', serverHost: host, contextHost: host };
  }
  if (!allowed.allows(origin)) return { kind: 'refused' };
  const contextHost = originHost(origin);
  const crossSite =
    !host || proto !== origin.slice(0, origin.indexOf(':')) || site(contextHost) !== site(host);
  return { kind: 'allowed', origin, serverHost: host, contextHost, crossSite };
}
