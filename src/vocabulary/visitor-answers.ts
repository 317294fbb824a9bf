import type { CookieKind } from './cookie-catalog';

// The visitor API's answers (SPEC §5, §10, §11): written by the server, read by the snippet
// (type-only imports there: nothing of the server is bundled).

/** A visitor's consent as Pantry knows it. */
export type ConsentState = 'granted' | 'denied' | 'unset';

/** The identify answer (SPEC §5). */
export interface IdentifyResult {
  /** The logged-in customer (a live authsession), else absent. */
  readonly customerId?: string;
  readonly account: string;
  readonly visitorId: string | null;
  readonly deviceId: string | null;
  readonly sessionId: string;
  readonly consent: ConsentState;
  /** Cookies issued anew by this call (not refreshed ones). */
  readonly issued: CookieKind[];
}

export interface InspectResult {
  /** Names of the account's cookies in the `Cookie` header (the browser's own cookies). */
  readonly cookie: string[];
  /** Names in the echo header (the snippet's copies). */
  readonly echo: string[];
}

export interface BridgeAnswer {
  readonly token: string;
  readonly url: string;
  /** Epoch seconds. */
  readonly expires: number;
}

/** identify with a bridge token: whether the identity was adopted, and why not. */
export interface BridgedIdentifyResult extends IdentifyResult {
  readonly bridged: boolean;
  readonly bridge?: string;
}
