import type { IncomingHttpHeaders } from 'node:http';

/** The first value of a header that may be repeated. */
export function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The first entry of a comma-separated header (a proxy chain's), trimmed; undefined if empty. */
function firstEntry(value: string | string[] | undefined): string | undefined {
  const text = single(value);
  if (text === undefined) return undefined;
  const comma = text.indexOf(',');
  const entry = (comma < 0 ? text : text.slice(0, comma)).trim();
  return entry === '' ? undefined : entry;
}

// The address a client used to reach Pantry: its own `Host` and scheme or, behind a proxy
// Pantry trusts (`server.trustProxy`), the first entries of `X-Forwarded-Host`,
// `X-Forwarded-Proto` and `X-Forwarded-Prefix`. The one place these headers are read.

/** The host the client asked for, as sent (a port kept): trusted `X-Forwarded-Host`, else `Host`. */
export function publicHost(headers: IncomingHttpHeaders, trustProxy: boolean): string | undefined {
  return (trustProxy ? firstEntry(headers['x-forwarded-host']) : undefined) ?? single(headers.host);
}

/** The scheme the client used: trusted `X-Forwarded-Proto` when it is http(s), else the socket's. */
export function publicProtocol(
  headers: IncomingHttpHeaders,
  protocol: 'http' | 'https',
  trustProxy: boolean,
): 'http' | 'https' {
  if (!trustProxy) return protocol;
  const forwarded = firstEntry(headers['x-forwarded-proto'])?.toLowerCase();
  return forwarded === 'https' || forwarded === 'http' ? forwarded : protocol;
}

/** A path prefix a proxy may announce: `/seg[/seg…]`, no `.`/`..` segments, no `//`. */
const PREFIX = /^(\/(?!\.\.?(?:\/|$))[A-Za-z0-9._~-]+)+$/;

/**
 * The path prefix a trusted proxy strips (`X-Forwarded-Prefix`: `/pantry`, `/a/b`), when well
 * formed; else null: junk is ignored.
 */
export function publicPrefix(headers: IncomingHttpHeaders, trustProxy: boolean): string | null {
  if (!trustProxy) return null;
  const prefix = firstEntry(headers['x-forwarded-prefix'])?.replace(/\/$/, '');
  return prefix !== undefined && prefix.length <= 200 && PREFIX.test(prefix) ? prefix : null;
}
