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

const NON_ASCII_ALL = /[\u007f-\uffff]/g;
/** True when no character is above U+007E (a loop: the regular expression was slower). */
function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x7f) return false;
  return true;
}
/** JSON text with every non-ASCII character escaped, so it is a valid header value. */
const ascii = (json: string) =>
  isAscii(json)
    ? json
    : json.replace(NON_ASCII_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/**
 * The parts of one cookie's entry that do not change between requests (all but the value and
 * `expires`), as JSON text already escaped: a plan keeps them per cookie and domain.
 */
export interface RelayEntryParts {
  readonly head: string;
  readonly mid: string;
  readonly tail: string;
}

export function relayEntryParts(c: Omit<RelayCookie, 'value' | 'expires'>): RelayEntryParts {
  return {
    head: ascii(`{"name":${JSON.stringify(c.name)},"value":`),
    mid: ascii(
      `,"domain":${c.domain === null ? 'null' : JSON.stringify(c.domain)},"path":${JSON.stringify(c.path)},"expires":`,
    ),
    tail: `,"secure":${c.secure},"sameSite":"${c.sameSite}"}`,
  };
}

/** One entry: its constant parts, its value ('' for a deletion) and `expires`. */
export interface RelayEntry {
  readonly parts: RelayEntryParts;
  readonly value: string;
  readonly expires: number | null;
}

/**
 * The relay header: the same bytes JSON.stringify gives for a RelayPayload, with every
 * non-ASCII character escaped. Written from the entries' prepared parts: it is built on every
 * cross-origin identify.
 */
export function encodeRelayEntries(mode: CorsCookieMode, entries: readonly RelayEntry[]): string {
  let json = `{"v":1,"mode":"${mode}","cookies":[`;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    json += `${i ? ',' : ''}${e.parts.head}${ascii(JSON.stringify(e.value))}${e.parts.mid}${e.expires === null ? 'null' : e.expires}${e.parts.tail}`;
  }
  return `${json}]}`;
}
