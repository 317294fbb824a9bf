/**
 * What the snippet reads from the site's consent manager (SPEC §15), as pure functions of what
 * the page hands it: an IAB TCF `addEventListener` callback's data, and Google Consent Mode
 * commands on the `dataLayer`. Bundled into the snippet: no imports with side effects.
 */

/**
 * A value for the consent header (`<prefix>tcf` or `<prefix>gcm`), or null: identify without
 * the header (the recorded decision answers).
 */
export type Signal = string | null;

/** The fields of a TCF v2 `TCData` the snippet reads. */
export interface TcData {
  readonly eventStatus?: unknown;
  readonly gdprApplies?: unknown;
  readonly tcString?: unknown;
}

/**
 * What one `__tcfapi('addEventListener', 2, cb)` callback asks for: the signal to identify
 * with, or undefined (nothing to send). `sent` is the last signal sent (undefined before any).
 * `tcloaded` and `useractioncomplete` carry the CMP's answer: `0` when GDPR does not apply,
 * else the TC string, sent only when it differs from the last one. `cmpuishown` (the CMP has
 * no answer and asks), or an answer without a string, before anything was sent: identify
 * without the header, so that a decision Pantry recorded earlier answers (Safari deleted the
 * CMP's own cookie).
 */
export function tcfSignal(
  data: unknown,
  ok: unknown,
  sent: Signal | undefined,
): Signal | undefined {
  if (!ok || !data || typeof data !== 'object') return undefined;
  const { eventStatus, gdprApplies, tcString } = data as TcData;
  const answered = eventStatus === 'tcloaded' || eventStatus === 'useractioncomplete';
  if (!answered && eventStatus !== 'cmpuishown') return undefined;
  const value = !answered
    ? null
    : gdprApplies === false
      ? '0'
      : typeof tcString === 'string' && tcString !== ''
        ? tcString
        : null;
  if (value === null) return sent === undefined ? null : undefined;
  return value === sent ? undefined : value;
}

/**
 * A `dataLayer` entry as a Consent Mode command for `type`: `default=granted`,
 * `default=denied`, `update=granted`, `update=denied`, or null for anything else. gtag pushes
 * `arguments` objects (`['consent', 'default'|'update', {<type>: 'granted'|'denied', …}]`); a
 * default for some regions only (`region`) is not the page's default.
 */
export function gcmCommand(entry: unknown, type: string): string | null {
  if (!entry || typeof entry !== 'object') return null;
  const [verb, kind, params] = [0, 1, 2].map((i) => (entry as Record<number, unknown>)[i]);
  if (verb !== 'consent' || (kind !== 'default' && kind !== 'update')) return null;
  if (!params || typeof params !== 'object') return null;
  const state = (params as Record<string, unknown>)[type];
  if (state !== 'granted' && state !== 'denied') return null;
  if (kind === 'default' && (params as { region?: unknown }).region !== undefined) return null;
  return `${kind}=${state}`;
}

/**
 * The signal for the first identify from the commands already on the `dataLayer`: the last
 * `update`, else the last `default`, else null (no header).
 */
export function gcmStart(entries: ArrayLike<unknown>, type: string): Signal {
  let update: Signal = null;
  let fallback: Signal = null;
  for (let i = 0; i < entries.length; i++) {
    const command = gcmCommand(entries[i], type);
    if (command?.startsWith('u')) update = command;
    else if (command) fallback = command;
  }
  return update ?? fallback;
}

/** The consent state a Consent Mode signal names: `granted` or `denied` (undefined for none). */
export const gcmState = (signal: Signal | undefined): string | undefined => signal?.split('=')[1];

/**
 * Whether a Consent Mode signal changes what an answer's `consent` says (null: no answer yet):
 * an `update` naming another state; a `default` only where nothing was decided (`unset`), since
 * the server uses defaults only when it recorded nothing.
 */
export function gcmChanges(signal: Signal, consent: string | null): boolean {
  if (signal === null || gcmState(signal) === consent) return false;
  return signal.startsWith('update') || consent === null || consent === 'unset';
}
