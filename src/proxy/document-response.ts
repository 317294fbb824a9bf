import { createHmac } from 'node:crypto';

/**
 * The pure parts of document mode: which responses are documents, what their Cache-Control
 * becomes, which upstream cookies give way to Pantry's, which headers are the connection's
 * only, and the `Via` entry that marks a request a fleet forwarded.
 */

/** An HTML page answered to a GET: the response that carries Pantry's cookies. */
export function isDocument(
  method: string,
  status: number,
  contentType: string | string[] | undefined,
): boolean {
  const type = (Array.isArray(contentType) ? contentType[0] : contentType) ?? '';
  return (
    method === 'GET' &&
    status >= 200 &&
    status < 300 &&
    type.split(';')[0].trim().toLowerCase() === 'text/html'
  );
}

/**
 * A document that sets cookies must not be kept by shared caches (a CDN would hand one
 * visitor's cookies to the next): `private`, unless the upstream already said `no-store`;
 * `public` and `s-maxage` give way, the upstream's other directives stay.
 */
export function documentCacheControl(upstream: string | undefined): string {
  const directives = (upstream ?? '')
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d !== '');
  if (directives.some((d) => d.toLowerCase() === 'no-store')) return directives.join(', ');
  const kept = directives.filter((d) => !/^(public|private|s-maxage=.*)$/i.test(d));
  return ['private', ...kept].join(', ');
}

/** The upstream's Set-Cookie lines without those named like Pantry's own cookies. */
export function withoutCookies(
  lines: string | string[] | undefined,
  names: ReadonlySet<string>,
): string[] {
  const all = lines === undefined ? [] : Array.isArray(lines) ? lines : [lines];
  return all.filter((line) => !names.has(line.slice(0, line.indexOf('=')).trim()));
}

/**
 * The name a fleet's nodes put in `Via` (RFC 9110 §7.6.3) on what they forward: derived from
 * the encryption key every node of a fleet shares (the same database's data must decrypt on
 * each), so every node recognises it and another fleet's (another company's Pantry behind a
 * CDN) differs. The key is not recoverable from it.
 */
export function fleetPseudonym(encryptionKey: Buffer): string {
  const tag = createHmac('sha256', encryptionKey).update('pantry document-mode via').digest();
  return `pantry-${tag.toString('base64url').slice(0, 12)}`;
}

/** Whether a `Via` value has an entry whose received-by is `pseudonym` (this fleet forwarded it). */
export function passedThrough(via: string | string[] | undefined, pseudonym: string): boolean {
  if (via === undefined) return false;
  for (const entry of (Array.isArray(via) ? via.join(',') : via).split(',')) {
    // received-protocol received-by [comment]
    if (entry.trim().split(/\s+/)[1] === pseudonym) return true;
  }
  return false;
}

/** `Via` for the forwarded request: the received entries, then this hop's. */
export function withVia(
  via: string | string[] | undefined,
  httpVersion: string,
  pseudonym: string,
): string {
  const own = `${httpVersion} ${pseudonym}`;
  const received = Array.isArray(via) ? via.join(', ') : via;
  return received && received.trim() !== '' ? `${received}, ${own}` : own;
}

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1): those every connection has, and those the message's
 * `Connection` names; none is forwarded.
 */
const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
];

/** The headers without the hop-by-hop ones (a copy; names in lower case, as Node gives them). */
export function endToEnd<T extends Record<string, unknown>>(headers: T): T {
  const out: Record<string, unknown> = { ...headers };
  const connection = headers['connection'];
  const named = Array.isArray(connection) ? connection.join(',') : connection;
  if (typeof named === 'string') {
    for (const option of named.split(',')) delete out[option.trim().toLowerCase()];
  }
  for (const h of HOP_BY_HOP) delete out[h];
  return out as T;
}
