import { getDomain, parse as parseHost } from 'tldts';
import { COOKIE_KINDS, CookieKind, isCookieKind } from '../vocabulary/cookie-catalog';
import { TCF_PURPOSES } from '../vocabulary/consent';
import {
  isKeeperAdapter,
  KEEPER_ADAPTERS,
  KeeperSetting,
  keeperSettingId,
} from '../vocabulary/keeper';

/** Thrown by a value parser; the message is what the operator reads after `KEY: `. */
export class InvalidPropertyValue extends Error {}

/** Quote a value for an error message, keeping it short and on one line. */
export function quote(raw: string): string {
  const oneLine = JSON.stringify(raw.length > 80 ? `${raw.slice(0, 77)}...` : raw);
  return oneLine;
}

export function parseBoolean(raw: string): boolean {
  const v = raw.toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new InvalidPropertyValue(`must be true or false (got ${quote(raw)})`);
}

export function integerParser(min: number, max: number) {
  return (raw: string): number => {
    if (!/^[+-]?\d+$/.test(raw)) {
      throw new InvalidPropertyValue(`must be a whole number (got ${quote(raw)})`);
    }
    const n = Number(raw);
    if (n < min || n > max) {
      throw new InvalidPropertyValue(`must be between ${min} and ${max} (got ${quote(raw)})`);
    }
    return n;
  };
}

/**
 * Enum values match case-insensitively and normalise to their canonical spelling;
 * `aliases` maps further accepted spellings (lower case) to a canonical value.
 */
export function enumParser<const V extends string>(
  values: readonly V[],
  aliases: Record<string, V> = {},
) {
  const byLower = new Map<string, V>(values.map((v) => [v.toLowerCase(), v]));
  for (const [alias, v] of Object.entries(aliases)) byLower.set(alias.toLowerCase(), v);
  return (raw: string): V => {
    const found = byLower.get(raw.toLowerCase());
    if (found === undefined) {
      throw new InvalidPropertyValue(`must be one of ${values.join(', ')} (got ${quote(raw)})`);
    }
    return found;
  };
}

/** Splits a comma list, trimming items and dropping empty ones. */
function splitList(raw: string): string[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** RFC 6265 cookie-name characters (an RFC 7230 token). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function parseCookieNamePrefix(raw: string): string {
  if (raw !== '' && !TOKEN.test(raw)) {
    throw new InvalidPropertyValue(
      `must contain only cookie-name (RFC 6265 token) characters (got ${quote(raw)})`,
    );
  }
  return raw;
}

export function parseCookieNameOverride(raw: string): string | null {
  if (raw === '') return null;
  if (!TOKEN.test(raw)) {
    throw new InvalidPropertyValue(
      `must contain only cookie-name (RFC 6265 token) characters (got ${quote(raw)})`,
    );
  }
  return raw;
}

export function parseCookieKindList(raw: string): CookieKind[] {
  const items = splitList(raw);
  const unknown = items.filter((i) => !isCookieKind(i.toLowerCase()));
  if (unknown.length > 0) {
    throw new InvalidPropertyValue(
      `must be a comma list of ${COOKIE_KINDS.join(', ')} (got ${unknown.map(quote).join(', ')})`,
    );
  }
  return [...new Set(items.map((i) => i.toLowerCase() as CookieKind))];
}

export type CookieDomainSetting =
  | { readonly mode: 'none' }
  | { readonly mode: 'auto' }
  | { readonly mode: 'fixed'; readonly domain: string };

const HOST_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** True for a syntactically valid DNS host name (lower case, no trailing dot). */
export function isHostName(host: string): boolean {
  return host.length <= 253 && host.split('.').every((label) => HOST_LABEL.test(label));
}

/**
 * `identifier.cookieDomain` and friends: empty, `AUTO` (alias `automatic`) or a fixed domain.
 * A fixed domain that is a public suffix (by the Public Suffix List, private section included)
 * is refused: browsers drop such cookies, so the setting could never work.
 */
export function parseCookieDomain(raw: string): CookieDomainSetting {
  if (raw === '') return { mode: 'none' };
  const lower = raw.toLowerCase();
  if (lower === 'auto' || lower === 'automatic') return { mode: 'auto' };
  const domain = lower.replace(/^\./, '');
  if (parseHost(domain).isIp) {
    throw new InvalidPropertyValue(
      `must be empty, AUTO or a domain name such as .example.com, not an IP address (got ${quote(raw)})`,
    );
  }
  if (!isHostName(domain)) {
    throw new InvalidPropertyValue(
      `must be empty, AUTO or a domain name such as .example.com (got ${quote(raw)})`,
    );
  }
  if (getDomain(domain, { allowPrivateDomains: true }) === null) {
    throw new InvalidPropertyValue(
      `${quote(raw)} is a public suffix (Public Suffix List): browsers refuse cookies for it; use a registrable domain such as .example.${domain}`,
    );
  }
  return { mode: 'fixed', domain };
}

/** What an origin must not carry: a browser's `Origin` header never has any of them. */
const NOT_IN_AN_ORIGIN: ReadonlyArray<readonly [RegExp, string]> = [
  [/^[^/]*\/\/[^/?#]*@/, 'user info (user@)'],
  [/^[^/]*\/\/[^/?#]*\/[^?#]/, 'a path'],
  [/\?/, 'a query (?…)'],
  [/#/, 'a fragment (#…)'],
];

/**
 * An allowed origin: `scheme://host[:port]`, where the host may start with `*.` to match any
 * subdomain. Normalised to lower case without a default port or a trailing `/` (browsers send
 * `https://www.shop.com`, never `https://www.shop.com/`). A path, query, fragment or user info
 * could never match an `Origin` header: refused, naming the origin and what to remove.
 */
export function parseOrigin(raw: string): string {
  if (/^https?:\/\//i.test(raw)) {
    const extra = NOT_IN_AN_ORIGIN.find(([pattern]) => pattern.test(raw));
    if (extra) {
      const shown = raw.replace(/\/\/([^@/?#:]*):[^@/?#]*@/, '//$1:***@');
      const bare = /^(https?:\/\/)(?:[^/?#]*@)?([^/?#]*)/i.exec(raw)!;
      throw new InvalidPropertyValue(
        `${quote(shown)} is not an origin: it has ${extra[1]}, which a browser's Origin never carries, so it would never match; write only scheme://host[:port], e.g. ${quote(`${bare[1]}${bare[2]}`)}`,
      );
    }
  }
  const m = /^(https?):\/\/(\*\.)?([^/:?#*@]+)(?::(\d{1,5}))?\/?$/i.exec(raw);
  const host = m?.[3]?.toLowerCase();
  if (!m || !host || !(isHostName(host) || parseHost(host).isIp)) {
    throw new InvalidPropertyValue(
      `must be an origin such as https://shop.example.com or https://*.example.com (got ${quote(raw)})`,
    );
  }
  const scheme = m[1].toLowerCase();
  const port = m[4] === undefined ? undefined : Number(m[4]);
  if (port !== undefined && (port < 1 || port > 65535)) {
    throw new InvalidPropertyValue(`has an invalid port (got ${quote(raw)})`);
  }
  if (m[2] && (parseHost(host).isIp || getDomain(host, { allowPrivateDomains: true }) === null)) {
    // `https://*.co.uk` would grant credentialed CORS and the relay header to every site there.
    throw new InvalidPropertyValue(
      `${quote(raw)}: a wildcard must stand below a registrable domain, and ${quote(host)} is ${parseHost(host).isIp ? 'an IP address' : 'a public suffix (Public Suffix List)'}; use e.g. https://*.example.${host}`,
    );
  }
  const portPart = port !== undefined && port !== (scheme === 'https' ? 443 : 80) ? `:${port}` : '';
  return `${scheme}://${m[2] ? '*.' : ''}${host}${portPart}`;
}

export function parseOriginList(raw: string): string[] {
  return [...new Set(splitList(raw).map(parseOrigin))];
}

export const API_KEY_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

export function parseApiKeyList(raw: string): string[] {
  const keys = splitList(raw);
  const bad = keys.filter((k) => !API_KEY_PATTERN.test(k));
  if (bad.length > 0) {
    throw new InvalidPropertyValue(
      `API keys must be 8 to 64 characters of A-Z a-z 0-9 _ - (got ${bad.map(quote).join(', ')})`,
    );
  }
  const seen = new Set<string>();
  for (const k of keys) {
    if (seen.has(k)) throw new InvalidPropertyValue(`lists API key ${quote(k)} twice`);
    seen.add(k);
  }
  return keys;
}

export const ACCOUNT_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

export type DatabaseUrl =
  | { readonly type: 'sqlite'; readonly database: string }
  | {
      readonly type: 'postgres';
      /** The URL as written, credentials and TLS options included (never shown). */
      readonly url: string;
      /** user@host:port/db, for messages and logs. */
      readonly display: string;
    };

/**
 * `sqlite:PATH`, `sqlite::memory:`, or `postgres://user:password@host:port/db` (also
 * `postgresql://`; TLS options in the query string as the pg driver reads them, e.g.
 * `?sslmode=require`). Messages never echo a password.
 */
export function parseDatabaseUrl(raw: string): DatabaseUrl {
  const redacted = quote(raw.replace(/\/\/([^@/]*?)(:[^@/]*)?@/, '//$1:***@'));
  if (/^postgres(ql)?:/i.test(raw)) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new InvalidPropertyValue(
        `must be postgres://user:password@host:port/database (got ${redacted})`,
      );
    }
    const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
    if (!url.hostname || !database || database.includes('/')) {
      throw new InvalidPropertyValue(
        `must name a host and a database: postgres://user:password@host:port/database (got ${redacted})`,
      );
    }
    return {
      type: 'postgres',
      url: raw,
      display: `${url.username ? `${decodeURIComponent(url.username)}@` : ''}${url.host}/${database}`,
    };
  }
  const m = /^sqlite:(.+)$/.exec(raw);
  if (!m) {
    throw new InvalidPropertyValue(
      `must be sqlite:PATH, sqlite::memory: or postgres://user:password@host:port/database (got ${redacted})`,
    );
  }
  return { type: 'sqlite', database: m[1] };
}

export function parsePathPrefix(raw: string): string {
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(raw)) {
    throw new InvalidPropertyValue(
      `must be a path such as /unblu: segments of A-Z a-z 0-9 . _ ~ -, no trailing slash (got ${quote(raw)})`,
    );
  }
  return raw;
}

export function parseDisplayName(raw: string): string | null {
  if (raw.length > 200) throw new InvalidPropertyValue('must be at most 200 characters');
  return raw === '' ? null : raw;
}

// Secrets: never echo the value in a message.

export function parseSigningSecrets(raw: string): string[] {
  const secrets = splitList(raw);
  secrets.forEach((s, i) => {
    if (s.length < 32) {
      throw new InvalidPropertyValue(
        `secret #${i + 1} is too short: at least 32 characters are needed (got ${s.length})`,
      );
    }
  });
  return secrets;
}

export function parseAssertionSecret(raw: string): string | null {
  if (raw === '') return null;
  if (raw.length < 32) {
    throw new InvalidPropertyValue(
      `must be at least 32 characters (got ${raw.length}); generate one with: openssl rand -base64 32`,
    );
  }
  return raw;
}

export function parseEncryptionKey(raw: string): string | null {
  if (raw === '') return null;
  const bytes = /^[A-Za-z0-9+/]+={0,2}$/.test(raw) ? Buffer.from(raw, 'base64') : null;
  if (!bytes || bytes.length !== 32) {
    throw new InvalidPropertyValue(
      `must be the base64 encoding of 32 random bytes (got ${raw.length} characters that are not)`,
    );
  }
  return raw;
}

export function parseAdminToken(raw: string): string | null {
  if (raw === '') return null;
  if (raw.length < 16 || raw.length > 512 || !/^[\x21-\x7e]+$/.test(raw)) {
    throw new InvalidPropertyValue(
      `must be 16 to 512 visible ASCII characters without spaces (got ${raw.length} characters)`,
    );
  }
  return raw;
}

export function parseCookiePath(raw: string): string {
  if (!/^\/[\x21-\x3a\x3c-\x7e]*$/.test(raw)) {
    throw new InvalidPropertyValue(
      `must start with / and contain no spaces, semicolons or control characters (got ${quote(raw)})`,
    );
  }
  return raw;
}

/** `proxy.hosts`: host names (no scheme, no port), lower case, each once. */
export function parseHostList(raw: string): string[] {
  const hosts = splitList(raw).map((h) => h.toLowerCase().replace(/\.$/, ''));
  const bad = hosts.filter((h) => !isHostName(h) && !parseHost(h).isIp);
  if (bad.length > 0) {
    throw new InvalidPropertyValue(
      `must be a comma list of host names such as www.shop.com, without scheme or port (got ${bad.map(quote).join(', ')})`,
    );
  }
  return [...new Set(hosts)];
}

/** `proxy.upstream`: `http(s)://host[:port]`, normalised; null when empty. */
export function parseUpstream(raw: string): string | null {
  if (raw === '') return null;
  const m = /^(https?):\/\/([^/:?#@]+|\[[0-9a-fA-F:.]+\])(?::(\d{1,5}))?\/?$/i.exec(raw);
  const host = m?.[2]?.toLowerCase().replace(/^\[|\]$/g, '');
  if (!m || !host || !(isHostName(host) || parseHost(host).isIp)) {
    throw new InvalidPropertyValue(
      `must be the site's origin server as http(s)://host[:port], without path or credentials (got ${quote(raw)})`,
    );
  }
  const port = m[3] === undefined ? undefined : Number(m[3]);
  if (port !== undefined && (port < 1 || port > 65535)) {
    throw new InvalidPropertyValue(`has an invalid port (got ${quote(raw)})`);
  }
  return `${m[1].toLowerCase()}://${m[2].toLowerCase()}${port === undefined ? '' : `:${port}`}`;
}

/** `bridge.partners`: account ids (lower case), each once. */
export function parseAccountIdList(raw: string): string[] {
  const ids = splitList(raw).map((id) => id.toLowerCase());
  const bad = ids.filter((id) => !ACCOUNT_ID_PATTERN.test(id));
  if (bad.length > 0) {
    throw new InvalidPropertyValue(
      `must be a comma list of account ids, [a-z0-9][a-z0-9-]{0,62} (got ${bad.map(quote).join(', ')})`,
    );
  }
  return [...new Set(ids)];
}

/** At most this many entries in `keeper.cookies` (the keeper keeps ≤ 16 cookies a visitor). */
const MAX_KEEPER_SETTINGS = 16;

/**
 * `keeper.cookies`: adapters by name (`ga`, `segment`, …) and `cookie:<name>` for any other
 * first-party id cookie; duplicates dropped.
 */
export function parseKeeperSettings(raw: string): KeeperSetting[] {
  const settings: KeeperSetting[] = [];
  const bad: string[] = [];
  for (const item of splitList(raw)) {
    const lower = item.toLowerCase();
    if (isKeeperAdapter(lower)) settings.push({ adapter: lower });
    else if (/^cookie:/i.test(item) && TOKEN.test(item.slice(7))) {
      settings.push({ adapter: 'cookie', name: item.slice(7) });
    } else bad.push(item);
  }
  if (bad.length > 0) {
    throw new InvalidPropertyValue(
      `must be a comma list of ${KEEPER_ADAPTERS.join(', ')} or cookie:<name> (a cookie name, RFC 6265 token characters) (got ${bad.map(quote).join(', ')})`,
    );
  }
  const unique = [...new Map(settings.map((s) => [keeperSettingId(s), s])).values()];
  if (unique.length > MAX_KEEPER_SETTINGS) {
    throw new InvalidPropertyValue(
      `keeps at most ${MAX_KEEPER_SETTINGS} cookies (got ${unique.length})`,
    );
  }
  return unique;
}

/** `consent.tcfPurposes`: TCF purpose ids (1–11), every one of which must be consented. */
export function parseTcfPurposes(raw: string): number[] {
  const items = splitList(raw);
  const bad = items.filter((i) => !/^\d+$/.test(i) || Number(i) < 1 || Number(i) > TCF_PURPOSES);
  if (bad.length > 0 || items.length === 0) {
    throw new InvalidPropertyValue(
      `must be a comma list of TCF purpose ids, 1 to ${TCF_PURPOSES} (got ${items.length ? bad.map(quote).join(', ') : 'none'})`,
    );
  }
  return [...new Set(items.map(Number))].sort((a, b) => a - b);
}

/** `consent.tcfVendorId`: empty, or a Global Vendor List id (1–65535). */
export function parseTcfVendorId(raw: string): number | null {
  if (raw === '') return null;
  return integerParser(1, 65535)(raw);
}
