import type { IncomingHttpHeaders } from 'node:http';
import { normalizeHost } from '../cookies/cookie-domain';
import { publicHost, publicPrefix, publicProtocol } from '../http/forwarded';

/**
 * The visitor API's public base URL as the browser reaches it, behind a proxy that Pantry
 * trusts (`server.trustProxy`): scheme and host from `X-Forwarded-Proto` / `X-Forwarded-Host`,
 * the path prefix the proxy strips from `X-Forwarded-Prefix`, then `server.publicPathPrefix`.
 * Null without trustProxy (the request's own Host may be an internal name) or with a host that
 * is not a host.
 */
export function publicBase(
  headers: IncomingHttpHeaders,
  protocol: 'http' | 'https',
  apiPath: string,
  trustProxy: boolean,
): string | null {
  if (!trustProxy) return null;
  const rawHost = publicHost(headers, true)?.trim();
  if (!rawHost || normalizeHost(rawHost) === null) return null;
  const proto = publicProtocol(headers, protocol, true);
  return `${proto}://${rawHost.toLowerCase()}${publicPrefix(headers, true) ?? ''}${apiPath}/`;
}
