import { createHash } from 'node:crypto';
import { registrableDomain } from '../cookies/cookie-domain';
import {
  KeeperAdapterName,
  KeeperSetting,
  keeperSettingId,
  keepsCookieName,
} from '../vocabulary/keeper';

/**
 * The cookie keeper's adapters (SPEC §14): for each SDK, which cookies are its id, what a
 * well-formed value is (junk is never stored nor set again), and, for `keeper.derive`, its
 * cookie minted from Pantry's visitor id. Pure functions, table-tested.
 */

/** A kept cookie as it came or as it is set: its adapter (`ga`, …, `cookie:<name>`), name, value. */
export interface KeptCookie {
  readonly adapter: string;
  readonly name: string;
  readonly value: string;
}

/** What the keeper holds of one visitor (SPEC §14: ≤ 16 cookies, ≤ 2 KiB each). */
export const KEEPER_LIMITS = { cookies: 16, valueBytes: 2048 } as const;

/** 400 days: the longest lifetime browsers keep (RFC 6265bis), as Pantry's own cookies. */
const KEPT_MAX_AGE = 400 * 24 * 60 * 60;

/** RFC 6265 cookie-octets: printable ASCII without space, `"`, `,`, `;` and `\`. */
const COOKIE_OCTETS = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]+$/;

interface Adapter {
  /** Whether a value is one the SDK writes (checked after the cookie-octet and size rules). */
  readonly valid: (value: string) => boolean;
  /** keeper.derive: the SDK's cookie from Pantry's visitor id, where its format allows one. */
  readonly derive?: (visitorId: string, nowSeconds: number) => { name: string; value: string };
}

/** A URL-encoded JSON value: decoded, or undefined when it is not one. */
function decodedJson(value: string): unknown {
  try {
    return JSON.parse(decodeURIComponent(value));
  } catch {
    return undefined;
  }
}

/** RudderStack v3's stored form of a value: `RS_ENC_v3_` + base64(JSON), URL-encoded. */
const RUDDER_PREFIX = 'RS_ENC_v3_';

function rudderValue(value: string): unknown {
  let decoded: string;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    return undefined;
  }
  if (!decoded.startsWith(RUDDER_PREFIX)) return undefined;
  const base64 = decoded.slice(RUDDER_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) return undefined;
  try {
    return JSON.parse(Buffer.from(base64, 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
}

/** An anonymous id as SDKs that take any string write it: no control or separator characters. */
const ANONYMOUS_ID = /^[A-Za-z0-9._:@+=-]{1,200}$/;

/** A number of at most 10 digits (what GA's client id holds) from the visitor id. */
function gaNumber(visitorId: string): number {
  return createHash('sha256').update(visitorId).digest().readUInt32BE(0) % 2_147_483_647;
}

const ADAPTERS: Readonly<Record<KeeperAdapterName, Adapter>> = {
  // `_ga`: GA1.<domain depth>.<random ≤ 10 digits>.<first visit, unix seconds>.
  ga: {
    valid: (v) => /^GA1\.\d\.\d{1,10}\.\d{1,10}$/.test(v),
    derive: (id, now) => ({ name: '_ga', value: `GA1.1.${gaNumber(id)}.${now}` }),
  },
  // analytics-next writes the id raw; older analytics.js wrote it JSON-quoted (%22…%22).
  segment: {
    valid: (v) => ANONYMOUS_ID.test(v.replace(/^%22(.*)%22$/, '$1')),
    derive: (id) => ({ name: 'ajs_anonymous_id', value: id }),
  },
  rudderstack: {
    valid: (v) => {
      const id = rudderValue(v);
      return typeof id === 'string' && ANONYMOUS_ID.test(id);
    },
    derive: (id) => ({
      name: 'rl_anonymous_id',
      value: encodeURIComponent(
        RUDDER_PREFIX + Buffer.from(JSON.stringify(id), 'utf8').toString('base64'),
      ),
    }),
  },
  // ph_<project token>_posthog: URL-encoded JSON holding at least the distinct id.
  posthog: {
    valid: (v) => {
      const json = decodedJson(v);
      return (
        typeof json === 'object' &&
        json !== null &&
        typeof (json as { distinct_id?: unknown }).distinct_id === 'string'
      );
    },
  },
  // _sp_id.<4 hex of the cookie domain's hash>: duid.createTs.visitCount.nowTs.lastVisitTs.….
  snowplow: {
    valid: (v) => {
      const parts = v.split('.');
      return (
        parts.length >= 4 &&
        parts.length <= 12 &&
        /^[0-9a-f-]{8,64}$/i.test(parts[0]) &&
        /^\d{1,13}$/.test(parts[1]) &&
        parts.slice(2).every((p) => /^[0-9A-Za-z-]{0,64}$/.test(p))
      );
    },
  },
  // _pk_id.<site id>.<4 hex>: <16 hex visitor id>.<created, unix seconds>.
  matomo: {
    valid: (v) => /^[0-9a-f]{16}\.\d{1,10}\.?$/.test(v),
  },
  treasuredata: {
    valid: (v) => ANONYMOUS_ID.test(v),
    derive: (id) => ({ name: '_td', value: id }),
  },
  // Issued by Bloomreach's backend: kept as it came.
  bloomreach: { valid: () => true },
};

/** `cookie:<name>`: any other first-party id cookie, kept as an opaque value. */
const OPAQUE: Adapter = { valid: () => true };

function adapterOf(setting: KeeperSetting): Adapter {
  return setting.adapter === 'cookie' ? OPAQUE : ADAPTERS[setting.adapter];
}

/** The cookie-octet and size rules every kept value obeys, whatever its adapter. */
function wellFormed(value: string): boolean {
  return value.length <= KEEPER_LIMITS.valueBytes && COOKIE_OCTETS.test(value);
}

/**
 * The request's kept cookies: each cookie the settings name, with a value its adapter accepts
 * (junk dropped), the first of repeated names, at most KEEPER_LIMITS.cookies in all.
 */
export function keptCookiesOf(
  settings: readonly KeeperSetting[],
  cookies: ReadonlyArray<readonly [string, string]>,
): KeptCookie[] {
  const kept: KeptCookie[] = [];
  if (settings.length === 0) return kept;
  const seen = new Set<string>();
  for (const [name, value] of cookies) {
    if (seen.has(name)) continue;
    for (const setting of settings) {
      if (!keepsCookieName(setting, name)) continue;
      seen.add(name);
      if (wellFormed(value) && adapterOf(setting).valid(value)) {
        kept.push({ adapter: keeperSettingId(setting), name, value });
        if (kept.length === KEEPER_LIMITS.cookies) return kept;
      }
      break;
    }
  }
  return kept;
}

/**
 * keeper.derive: the SDK's cookie minted from Pantry's visitor id, in its format (`segment`,
 * `rudderstack`, `treasuredata`: the id itself; `ga`: a client id from it); null for adapters
 * whose cookie name or value depends on the SDK's own configuration, and for `cookie:<name>`.
 */
export function derivedCookie(
  setting: KeeperSetting,
  visitorId: string,
  nowSeconds: number,
): KeptCookie | null {
  if (setting.adapter === 'cookie') return null;
  const derived = ADAPTERS[setting.adapter].derive?.(visitorId, nowSeconds);
  if (!derived || !wellFormed(derived.value)) return null;
  return { adapter: setting.adapter, ...derived };
}

/**
 * The domain kept cookies are set on: the page host's registrable domain (the Public Suffix
 * List), which is where the SDKs write their own (so the browser does not hold two); null for an
 * IP address or a single-label host (host-only).
 */
export function keptCookieDomain(pageHost: string): string | null {
  return registrableDomain(pageHost);
}

/**
 * A kept cookie's `Set-Cookie` line: 400 days, `Path=/`, the registrable domain, `SameSite=Lax`,
 * `Secure` as the account's cookies, and not HttpOnly (the SDK reads it); a null value deletes it.
 */
export function keptSetCookieLine(
  cookie: { readonly name: string; readonly value: string | null },
  attrs: { readonly domain: string | null; readonly secure: boolean },
): string {
  // Concatenated, not joined from a list: this runs for every kept cookie of every page view.
  const life =
    cookie.value === null
      ? 'Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT'
      : `Max-Age=${KEPT_MAX_AGE}`;
  const domain = attrs.domain ? `; Domain=${attrs.domain}` : '';
  return `${cookie.name}=${cookie.value ?? ''}; ${life}; Path=/${domain}; SameSite=Lax${attrs.secure ? '; Secure' : ''}`;
}
