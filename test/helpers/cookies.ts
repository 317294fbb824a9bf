import type { Response } from 'supertest';
import type { RelayPayload } from '../../src/cookies/relay-header';

export interface ParsedSetCookie {
  name: string;
  value: string;
  attributes: Record<string, string | true>;
  raw: string;
}

/** The response's Set-Cookie lines, parsed (attribute names lower-cased). */
export function setCookies(res: Response): ParsedSetCookie[] {
  const header = res.headers['set-cookie'] as string | string[] | undefined;
  return parseSetCookies(header === undefined ? [] : Array.isArray(header) ? header : [header]);
}

/** Set-Cookie lines, parsed (attribute names lower-cased). */
export function parseSetCookies(lines: readonly string[]): ParsedSetCookie[] {
  return lines.map((raw) => {
    const [pair, ...attrs] = raw.split(';').map((s) => s.trim());
    const eq = pair.indexOf('=');
    return {
      name: pair.slice(0, eq),
      value: pair.slice(eq + 1),
      raw,
      attributes: Object.fromEntries(
        attrs.map((a) => {
          const i = a.indexOf('=');
          return i < 0 ? [a.toLowerCase(), true] : [a.slice(0, i).toLowerCase(), a.slice(i + 1)];
        }),
      ),
    };
  });
}

export function setCookie(res: Response, name: string): ParsedSetCookie | undefined {
  return setCookies(res).find((c) => c.name === name);
}

/** A Cookie header carrying every non-deleted cookie a response set. */
export function cookieHeader(...responses: Response[]): string {
  return cookieJar(responses.flatMap(setCookies));
}

/**
 * The Cookie header a browser sends after these Set-Cookie lines, in order (a later line
 * replaces an earlier one, `Max-Age=0` removes it), starting from the pairs of `before`.
 */
export function cookieJar(lines: readonly ParsedSetCookie[], before = ''): string {
  const jar = new Map<string, string>();
  for (const pair of before.split(';').map((p) => p.trim())) {
    if (pair !== '') jar.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1));
  }
  for (const c of lines) {
    if (c.attributes['max-age'] === '0') jar.delete(c.name);
    else jar.set(c.name, c.value);
  }
  return [...jar].map(([n, v]) => `${n}=${v}`).join('; ');
}

export function relay(res: Response, header = 'x-unblu-set-cookie'): RelayPayload | undefined {
  const value = res.headers[header] as string | undefined;
  return value === undefined ? undefined : (JSON.parse(value) as RelayPayload);
}

/** The echo header a snippet would send back from the relayed copies. */
export function echoFromRelay(...payloads: Array<RelayPayload | undefined>): string {
  const jar = new Map<string, string>();
  for (const p of payloads) {
    for (const c of p?.cookies ?? []) {
      if (c.expires === 0) jar.delete(c.name);
      else jar.set(c.name, c.value);
    }
  }
  return [...jar].map(([n, v]) => `${n}=${v}`).join('; ');
}
