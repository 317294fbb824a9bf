/** Bytes of a Cookie or echo header that are read; the rest is ignored. */
export const MAX_COOKIE_HEADER_LENGTH = 16 * 1024;
/** Pairs read from one header. */
export const MAX_COOKIE_PAIRS = 200;

const NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Parses `Cookie` header syntax leniently and safely: every `name=value` pair in order,
 * duplicates kept (browsers send a host-only and a domain cookie of one name side by side).
 * Pairs without a valid name are skipped; quotes around a value are removed; nothing is
 * URL-decoded (Pantry's own values never need it). Never throws.
 */
export function parseCookieHeader(header: string | string[] | undefined): Array<[string, string]> {
  if (header === undefined) return [];
  const text = (Array.isArray(header) ? header.join('; ') : header).slice(
    0,
    MAX_COOKIE_HEADER_LENGTH,
  );
  const pairs: Array<[string, string]> = [];
  for (const part of text.split(';')) {
    if (pairs.length >= MAX_COOKIE_PAIRS) break;
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!NAME.test(name)) continue;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
      value = value.slice(1, -1);
    }
    pairs.push([name, value]);
  }
  return pairs;
}

/**
 * Candidate values per cookie name, `Cookie` before the echo header (SPEC §4): the first that
 * verifies wins. With `wanted`, other names (the site's own cookies) are skipped.
 */
export function cookieCandidates(
  cookieHeader: string | string[] | undefined,
  echoHeader: string | string[] | undefined,
  wanted?: ReadonlySet<string>,
): Map<string, string[]> {
  const candidates = new Map<string, string[]>();
  for (const header of [cookieHeader, echoHeader]) {
    for (const [name, value] of parseCookieHeader(header)) {
      if (wanted && !wanted.has(name)) continue;
      const list = candidates.get(name);
      if (list) list.push(value);
      else candidates.set(name, [value]);
    }
  }
  return candidates;
}
