import { normalizeHost } from '../cookies/cookie-domain';

export interface ForwardedView {
  readonly host: string | undefined;
  readonly protocol: 'http' | 'https';
  readonly forwardedHost: string | undefined;
  readonly forwardedProto: string | undefined;
  readonly forwardedPrefix: string | undefined;
}

/** A path prefix a proxy may announce: `/seg[/seg…]`, no `.`/`..` segments, no `//`. */
const PREFIX = /^(\/(?!\.\.?(?:\/|$))[A-Za-z0-9._~-]+)+$/;

/** `X-Forwarded-Prefix` when well formed (`/pantry`, `/a/b`), else null: junk is ignored. */
export function forwardedPrefix(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  const prefix = raw.split(',')[0].trim().replace(/\/$/, '');
  return prefix.length <= 200 && PREFIX.test(prefix) ? prefix : null;
}

/**
 * The visitor API's public base URL as the browser reaches it, behind a proxy that Pantry
 * trusts (`server.trustProxy`): scheme and host from `X-Forwarded-Proto` / `X-Forwarded-Host`,
 * the path prefix the proxy strips from `X-Forwarded-Prefix`, then `server.publicPathPrefix`.
 * Null without trustProxy (the request's own Host may be an internal name) or with a host that
 * is not a host.
 */
export function publicBase(
  req: ForwardedView,
  apiPath: string,
  trustProxy: boolean,
): string | null {
  if (!trustProxy) return null;
  const rawHost = (req.forwardedHost ?? req.host)?.trim();
  if (!rawHost || normalizeHost(rawHost) === null) return null;
  const proto =
    req.forwardedProto === 'https' || req.forwardedProto === 'http'
      ? req.forwardedProto
      : req.protocol;
  return `${proto}://${rawHost.toLowerCase()}${forwardedPrefix(req.forwardedPrefix) ?? ''}${apiPath}/`;
}
