/**
 * Characters of a Cookie or echo header that are read; the rest is ignored. Node refuses
 * requests whose headers together exceed 16 KiB, so a real header is always read whole, however
 * many of the site's own cookies stand before Pantry's.
 */
export const MAX_COOKIE_HEADER_LENGTH = 32 * 1024;
/**
 * Values kept per cookie name: a browser sends a name at most a few times (host-only and
 * domain cookies, paths); a header repeating one name thousands of times buys no HMAC checks.
 */
export const MAX_VALUES_PER_NAME = 8;

const NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Parses `Cookie` header syntax leniently and safely: every `name=value` pair in order,
 * duplicates kept (browsers send a host-only and a domain cookie of one name side by side).
 * Pairs without a valid name are skipped; quotes around a value are removed; nothing is
 * URL-decoded (Pantry's own values never need it). Never throws.
 */
export function parseCookieHeader(header: string | string[] | undefined): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  forEachPair(header, undefined, (name, value) => pairs.push([name, value]));
  return pairs;
}

function forEachPair(
  header: string | string[] | undefined,
  wanted: ReadonlySet<string> | undefined,
  each: (name: string, value: string) => void,
): void {
  if (header === undefined) return;
  const text = (Array.isArray(header) ? header.join('; ') : header).slice(
    0,
    MAX_COOKIE_HEADER_LENGTH,
  );
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (wanted ? !wanted.has(name) : !NAME.test(name)) continue;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
      value = value.slice(1, -1);
    }
    each(name, value);
  }
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
  const add = (name: string, value: string) => {
    const list = candidates.get(name);
    if (!list) candidates.set(name, [value]);
    else if (list.length < MAX_VALUES_PER_NAME) list.push(value);
  };
  forEachPair(cookieHeader, wanted, add);
  forEachPair(echoHeader, wanted, add);
  return candidates;
}
