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

/** JSON with every non-ASCII character escaped, so it is a valid header value. */
export function encodeRelayHeader(mode: CorsCookieMode, cookies: readonly RelayCookie[]): string {
  const payload: RelayPayload = { v: 1, mode, cookies };
  return JSON.stringify(payload).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}
