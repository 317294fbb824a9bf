import { KeeperSetting, keeperSettingId } from '../vocabulary/keeper';
import { derivedCookie, KEEPER_LIMITS, KeptCookie, keptCookiesOf } from './keeper-adapters';

/** What a response does to one kept cookie, and why (the metrics' outcome). */
export type KeptOutcome = 'kept' | 'restored' | 'derived' | 'deleted';

export interface KeptWrite {
  /** `ga`, …, `cookie:<name>`. */
  readonly adapter: string;
  readonly name: string;
  /** null: a deletion. */
  readonly value: string | null;
  readonly outcome: KeptOutcome;
}

export interface KeeperInput {
  readonly settings: readonly KeeperSetting[];
  /** keeper.derive. */
  readonly derive: boolean;
  /** The visitor's id where identity is allowed, else null. */
  readonly visitorId: string | null;
  /** Identity consent was refused (a revocation, or a denied visitor): delete them all. */
  readonly denied: boolean;
  /** The request's kept cookies (keptCookiesOf: junk already dropped). */
  readonly present: readonly KeptCookie[];
  /** What is stored for the visitor as name/value pairs (validated here), or null: unknown. */
  readonly stored: ReadonlyArray<readonly [string, string]> | null;
  readonly nowSeconds: number;
}

export interface KeeperDecision {
  /** The Set-Cookie lines to render, in order. */
  readonly writes: readonly KeptWrite[];
  /** Values to store (present and derived ones). */
  readonly learn: readonly KeptCookie[];
}

const NOTHING: KeeperDecision = { writes: [], learn: [] };

/**
 * Whether a request must wait for the stored values before deciding: identity is allowed, and
 * some setting has no cookie in the request (the browser may have lost it: a restore, or a
 * derivation when none was ever stored).
 */
export function needsStored(
  settings: readonly KeeperSetting[],
  present: readonly KeptCookie[],
): boolean {
  if (present.length >= KEEPER_LIMITS.cookies) return false;
  return settings.some((s) => {
    const id = keeperSettingId(s);
    return !present.some((c) => c.adapter === id);
  });
}

/**
 * SPEC §14, the keeper's decision for one response. Identity allowed: every kept cookie that
 * came is refreshed (its value as sent), every stored one the browser lost is restored, and
 * with keeper.derive a setting never seen is minted from the visitor id. Identity refused
 * (denied): every kept cookie that came or is stored is deleted. Otherwise nothing. Pure.
 */
export function decideKept(input: KeeperInput): KeeperDecision {
  const { settings, present } = input;
  if (input.visitorId === null) {
    if (!input.denied) return NOTHING;
    const seen = new Set<string>();
    const writes = [...present, ...keptCookiesOf(settings, input.stored ?? [])]
      .filter((c) => !seen.has(c.name) && seen.add(c.name))
      .map((c): KeptWrite => ({
        adapter: c.adapter,
        name: c.name,
        value: null,
        outcome: 'deleted',
      }));
    return { writes, learn: [] };
  }
  const writes: KeptWrite[] = present.map((c) => ({ ...c, outcome: 'kept' as const }));
  const names = new Set(present.map((c) => c.name));
  const adapters = new Set(present.map((c) => c.adapter));
  for (const c of keptCookiesOf(settings, input.stored ?? [])) {
    if (writes.length >= KEEPER_LIMITS.cookies) break;
    if (names.has(c.name)) continue;
    names.add(c.name);
    adapters.add(c.adapter);
    writes.push({ ...c, outcome: 'restored' });
  }
  const learn: KeptCookie[] = [...present];
  // Only when the stored values are known: a value stored elsewhere is never overwritten.
  if (input.derive && input.stored !== null) {
    for (const setting of settings) {
      if (writes.length >= KEEPER_LIMITS.cookies) break;
      if (adapters.has(keeperSettingId(setting))) continue;
      const derived = derivedCookie(setting, input.visitorId, input.nowSeconds);
      if (!derived || names.has(derived.name)) continue;
      names.add(derived.name);
      writes.push({ ...derived, outcome: 'derived' });
      learn.push(derived);
    }
  }
  return { writes, learn };
}
