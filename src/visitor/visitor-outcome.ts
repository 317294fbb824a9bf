import type { PantryError } from '../common/errors';
import type { CookieWrite } from '../cookies/cookie-plan';
import type { BridgeFailure } from '../vocabulary/bridge-outcomes';
import type { BridgeAnswer, InspectResult } from '../vocabulary/visitor-answers';
import type { KeptWrite } from '../keeper/keeper-decision';
import type { VisitDecision } from './visit-decision';

/** A bridge token's fate on identify: its identity adopted, or why not. */
export type BridgeRedemption =
  { readonly bridged: true } | { readonly bridged: false; readonly bridge: BridgeFailure };

/** A visit decided (identify, consent, login, logout, document mode): what to set and answer. */
export interface VisitOutcome {
  readonly kind: 'visit';
  readonly visit: VisitDecision;
  /** The decision's cookie actions with their values (signed, re-sent or deleted), in order. */
  readonly writes: readonly CookieWrite[];
  /** The logged-in customer (a live or new session), else null. */
  readonly customerId: string | null;
  /** identify with a bridge token: whether its identity was adopted; else undefined. */
  readonly bridge: BridgeRedemption | undefined;
  /** The cookie keeper's cookies (SPEC §14) to set or delete, where it keeps any. */
  readonly kept?: readonly KeptWrite[];
}

/**
 * What a visitor call decided, as plain data; the responder (visitor.responder.ts) renders it
 * into status, headers and body. A refusal is a domain error, answered with the CORS grant of
 * the request's (accepted) origin so that the snippet can read it.
 */
export type VisitorOutcome =
  | VisitOutcome
  | { readonly kind: 'refusal'; readonly error: PantryError }
  | { readonly kind: 'bridge-token'; readonly answer: BridgeAnswer }
  | { readonly kind: 'inspect'; readonly result: InspectResult };

/** A refusal outcome. */
export const refusal = (error: PantryError): VisitorOutcome => ({ kind: 'refusal', error });
