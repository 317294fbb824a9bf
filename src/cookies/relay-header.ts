import { CorsCookieMode } from '../properties/property-catalog';

/** One cookie copy in the relay header (SPEC §4). */
export interface RelayCookie {
  readonly name: string;
  /** '' for a deletion. */
  readonly value: string;
  /** `.shop.example.com`, or null for a host-only copy. */
  readonly domain: string | null;
  readonly path: string;
  /** Epoch seconds; null for a session cookie; 0 for a deletion. */
  readonly expires: number | null;
  readonly secure: boolean;
  readonly sameSite: 'Lax' | 'Strict' | 'None';
}

export interface RelayPayload {
  readonly v: 1;
  readonly mode: CorsCookieMode;
  readonly cookies: readonly RelayCookie[];
}

const NON_ASCII = /[\u007f-\uffff]/g;
const escapeNonAscii = (json: string) =>
  json.replace(NON_ASCII, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/**
 * JSON with every non-ASCII character escaped, so it is a valid header value. Written field by
 * field (the same bytes JSON.stringify gives): it is built on every cross-origin identify.
 */
export function encodeRelayHeader(mode: CorsCookieMode, cookies: readonly RelayCookie[]): string {
  let json = `{"v":1,"mode":"${mode}","cookies":[`;
  for (let i = 0; i < cookies.length; i++) {
    const c = cookies[i];
    json +=
      `${i ? ',' : ''}{"name":${JSON.stringify(c.name)},"value":${JSON.stringify(c.value)}` +
      `,"domain":${c.domain === null ? 'null' : JSON.stringify(c.domain)}` +
      `,"path":${JSON.stringify(c.path)},"expires":${c.expires === null ? 'null' : c.expires}` +
      `,"secure":${c.secure},"sameSite":"${c.sameSite}"}`;
  }
  json += ']}';
  NON_ASCII.lastIndex = 0;
  return NON_ASCII.test(json) ? escapeNonAscii(json) : json;
}
