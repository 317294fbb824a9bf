import type { PantryError } from '../common/errors';
import type { CookieWrite } from '../cookies/cookie-plan';
import type { BridgeFailure } from '../vocabulary/bridge-outcomes';
import type { BridgeAnswer, InspectResult } from '../vocabulary/visitor-answers';
import type { KeptWrite } from '../keeper/keeper-decision';
import type { VisitDecision } from './visit-decision';
import type { AcceptedVerdict } from './cross-origin';

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
  /** The cookie keeper's cookies (SPEC §14) to set or delete (none where it keeps nothing). */
  readonly kept: readonly KeptWrite[];
}

/** A document's visit (document and edge mode): the page's verdict and what it decided. */
export interface DocumentVisit {
  readonly verdict: AcceptedVerdict;
  readonly outcome: VisitOutcome;
}

/** An outcome's `kept` where the keeper sets nothing. */
export const NOTHING_KEPT: readonly KeptWrite[] = Object.freeze([]);

/**
 * The outcome with the keeper's cookies. Written out field by field, in the order every outcome
 * is built in, so that all outcomes share one shape: a spread made the returning visitor's
 * answer ~10% slower (the responder's reads of the outcome stopped being monomorphic).
 */
export function withKept(outcome: VisitOutcome, kept: readonly KeptWrite[]): VisitOutcome {
  return {
    kind: 'visit',
    visit: outcome.visit,
    writes: outcome.writes,
    customerId: outcome.customerId,
    bridge: outcome.bridge,
    kept,
  };
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
