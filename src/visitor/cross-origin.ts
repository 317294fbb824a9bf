import { normalizeHost, registrableDomain } from '../cookies/cookie-domain';
import { normalizeOrigin, OriginMatcher, originHost } from '../cookies/origin-matcher';
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

/** The server's own host and scheme, honouring X-Forwarded-* only behind a trusted proxy. */
export function serverOrigin(
  req: VisitorRequest,
  trustProxy: boolean,
): { host: string | null; origin: string | null } {
  const rawHost = trustProxy && req.forwardedHost ? req.forwardedHost : req.host;
  const proto =
    trustProxy && (req.forwardedProto === 'https' || req.forwardedProto === 'http')
      ? req.forwardedProto
      : req.protocol;
  const host = normalizeHost(rawHost);
  return { host, origin: host && rawHost ? normalizeOrigin(`${proto}://${rawHost.trim()}`) : null };
}

const site = (host: string) => registrableDomain(host) ?? host;

/**
 * SPEC §4: a request without `Origin`, or from the server's own origin, is same-origin; any
 * other origin must be on the account's allowlist (exactly, or by a `*.` wildcard).
 */
export function crossOriginVerdict(
  req: VisitorRequest,
  allowed: OriginMatcher,
  trustProxy: boolean,
): CrossOriginVerdict {
  const server = serverOrigin(req, trustProxy);
  if (req.origin === undefined) {
    return { kind: 'same-origin', serverHost: server.host, contextHost: server.host };
  }
  const origin = normalizeOrigin(req.origin);
  if (origin === null) return { kind: 'refused' };
  if (origin === server.origin) {
    return { kind: 'same-origin', serverHost: server.host, contextHost: server.host };
  }
  if (!allowed.allows(origin)) return { kind: 'refused' };
  const contextHost = originHost(origin);
  const serverScheme = server.origin?.slice(0, server.origin.indexOf(':'));
  const crossSite =
    !server.host ||
    serverScheme !== origin.slice(0, origin.indexOf(':')) ||
    site(contextHost) !== site(server.host);
  return { kind: 'allowed', origin, serverHost: server.host, contextHost, crossSite };
}
