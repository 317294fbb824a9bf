/**
 * Why identify with a bridge token did not carry the identity: a fixed list (the access log's
 * outcome and the `pantry_bridge_total` label take no other values). `already_identified`: the
 * visitor kept the id it had there, the two ids are linked; `unavailable`: the database cannot
 * be written, the token stays unused.
 */
export const BRIDGE_FAILURES = [
  'expired',
  'used',
  'invalid',
  'wrong_target',
  'wrong_account',
  'already_identified',
  'unavailable',
  'consent_required',
] as const;
export type BridgeFailure = (typeof BRIDGE_FAILURES)[number];
/** Every value of `pantry_bridge_total`'s outcome label. */
export type BridgeOutcome = 'issued' | 'bridged' | BridgeFailure;

const FAILURES: ReadonlySet<string> = new Set(BRIDGE_FAILURES);

/** One of the fixed reasons (anything else, e.g. from a body not ours, is not). */
export function isBridgeFailure(value: unknown): value is BridgeFailure {
  return typeof value === 'string' && FAILURES.has(value);
}
