import { RestrictionType, TCModel, TCString } from '@iabtechlabtcf/core';
import { memoised } from '../common/memo';
import { parseCookieHeader } from '../cookies/cookie-header';
import { ConsentSource, MAX_TC_STRING, TCF_COOKIE } from '../vocabulary/consent';

/**
 * What the site's consent manager said on a request (SPEC §15), read from the snippet's
 * header (or, for TCF, the CMP's own `euconsent-v2` cookie on a same-site request):
 * - `tcf`, GDPR applies: the TC string decoded against the account's purposes and vendor;
 * - `tcf`, GDPR does not apply (the CMP's `gdprApplies: false`, header `0`);
 * - `tcf-invalid`: a string that does not decode, or breaks a rule (no consent);
 * - `gcm`: a Google Consent Mode `default` or `update` for the account's consent type.
 */
export type ConsentSignal =
  | {
      readonly kind: 'tcf';
      readonly gdprApplies: true;
      readonly granted: boolean;
      /** The purposes the string consents to (the visitor record; never the string). */
      readonly purposes: readonly number[];
    }
  | { readonly kind: 'tcf'; readonly gdprApplies: false }
  | { readonly kind: 'tcf-invalid' }
  | { readonly kind: 'gcm'; readonly phase: 'default' | 'update'; readonly granted: boolean };

/** What the signal counts as in `pantry_consent_signals_total`. */
export type SignalOutcome = 'granted' | 'denied' | 'not_applicable' | 'invalid' | 'default';

export function signalOutcome(signal: ConsentSignal): SignalOutcome {
  switch (signal.kind) {
    case 'tcf':
      return !signal.gdprApplies ? 'not_applicable' : signal.granted ? 'granted' : 'denied';
    case 'tcf-invalid':
      return 'invalid';
    case 'gcm':
      return signal.phase === 'default' ? 'default' : signal.granted ? 'granted' : 'denied';
  }
}

/** What an account asks of a TC string: `consent.tcfPurposes`, `consent.tcfVendorId`. */
export interface TcfRequirement {
  readonly purposes: readonly number[];
  readonly vendorId: number | null;
}

const INVALID: ConsentSignal = Object.freeze({ kind: 'tcf-invalid' });
const NOT_APPLICABLE: ConsentSignal = Object.freeze({ kind: 'tcf', gdprApplies: false });

/**
 * A TC string against the account's requirement: every required purpose consented (consent,
 * not legitimate interest: storing an id on the device needs consent); with a vendor, its
 * consent too, its disclosure when the string is of policy v2.3 (version 5 and later, whose
 * disclosed-vendors segment is mandatory), and no publisher restriction that takes a required
 * purpose from it (not allowed, or legitimate interest only). Decoded by the IAB Tech Lab's
 * library; anything it refuses (or throws on), another version than 2, or a string over
 * MAX_TC_STRING characters is invalid. Pure.
 */
export function decodeTcf(raw: string, requirement: TcfRequirement): ConsentSignal {
  if (raw.length === 0 || raw.length > MAX_TC_STRING || !/^[A-Za-z0-9_.-]+$/.test(raw)) {
    return INVALID;
  }
  let model: TCModel;
  try {
    model = TCString.decode(raw);
  } catch {
    return INVALID;
  }
  if (Number(model.version) !== 2 || !exactCore(raw, model)) return INVALID;
  const purposes: number[] = [];
  model.purposeConsents.forEach((consented, id) => {
    if (consented) purposes.push(id);
  });
  return { kind: 'tcf', gdprApplies: true, granted: tcfGrants(model, requirement), purposes };
}

/** The core segment's fixed fields, in bits (TCF v2: version … publisherCountryCode). */
const CORE_FIXED_BITS = 213;
/** A segment is padded to whole bytes, then written in 6-bit characters. */
const MAX_PADDING_BITS = 7 + 5;

/**
 * Whether the core segment is as long as its fields say: the library reads what it needs and
 * ignores the rest, so a bitfield longer than the string's own lengths (a purpose or vendor
 * field padded with extra bits) would otherwise pass.
 */
function exactCore(raw: string, model: TCModel): boolean {
  const sections = [
    model.vendorConsents,
    model.vendorLegitimateInterests,
    model.publisherRestrictions,
  ];
  const lengths = sections.map((v) => (v as { bitLength?: unknown }).bitLength);
  if (!lengths.every((n): n is number => typeof n === 'number' && Number.isInteger(n)))
    return false;
  const bits = CORE_FIXED_BITS + lengths.reduce((a, b) => a + b, 0);
  const given = raw.split('.')[0].length * 6;
  return given >= bits && given - bits <= MAX_PADDING_BITS;
}

function tcfGrants(model: TCModel, { purposes, vendorId }: TcfRequirement): boolean {
  if (!purposes.every((p) => model.purposeConsents.has(p))) return false;
  if (vendorId === null) return true;
  if (!model.vendorConsents.has(vendorId)) return false;
  if (Number(model.policyVersion) >= 5 && !model.vendorsDisclosed.has(vendorId)) return false;
  return purposes.every((p) => {
    const restriction = model.publisherRestrictions.getRestrictionType(vendorId, p);
    return (
      restriction !== RestrictionType.NOT_ALLOWED && restriction !== RestrictionType.REQUIRE_LI
    );
  });
}

/**
 * Decoded strings, per requirement and string: a visitor's string comes back on every page
 * view until the CMP changes it, and decoding took tens of microseconds. Bounded.
 */
const DECODED = new Map<string, ConsentSignal>();
const MAX_DECODED = 5_000;

function decodeTcfCached(raw: string, requirement: TcfRequirement): ConsentSignal {
  if (raw.length > MAX_TC_STRING) return INVALID;
  const key = `${requirement.purposes.join(',')}|${requirement.vendorId ?? ''}|${raw}`;
  return memoised(DECODED, key, () => decodeTcf(raw, requirement), MAX_DECODED);
}

/** `<prefix>gcm`: `default=granted`, `update=denied`, …; anything else is no signal. */
export function googleConsentSignal(raw: string): ConsentSignal | null {
  const m = /^(default|update)=(granted|denied)$/.exec(raw.trim());
  return m
    ? { kind: 'gcm', phase: m[1] as 'default' | 'update', granted: m[2] === 'granted' }
    : null;
}

/** What a request carries of the CMP, where the account's consent comes from one. */
export interface SignalInput {
  readonly source: ConsentSource;
  readonly tcf: TcfRequirement;
  /** The snippet's `<prefix>tcf` header, when sent. */
  readonly tcfHeader: string | undefined;
  /** The snippet's `<prefix>gcm` header, when sent. */
  readonly gcmHeader: string | undefined;
  /** The Cookie header (the CMP's `euconsent-v2`, on a same-site request). */
  readonly cookie: string | string[] | undefined;
}

/**
 * The request's CMP signal for the account's `consent.source`, or null: a `PANTRY` account
 * reads none (a header sent to it changes nothing), a TCF account its header, else the
 * `euconsent-v2` cookie, a Google Consent Mode account its header.
 */
export function readConsentSignal(input: SignalInput): ConsentSignal | null {
  switch (input.source) {
    case 'PANTRY':
      return null;
    case 'TCF': {
      if (input.tcfHeader !== undefined) {
        const raw = input.tcfHeader.trim();
        return raw === '0' ? NOT_APPLICABLE : decodeTcfCached(raw, input.tcf);
      }
      if (input.cookie === undefined) return null;
      const stored = parseCookieHeader(input.cookie).find(([name]) => name === TCF_COOKIE);
      return stored && stored[1] !== '' ? decodeTcfCached(stored[1], input.tcf) : null;
    }
    case 'GOOGLE_CONSENT_MODE':
      return input.gcmHeader === undefined ? null : googleConsentSignal(input.gcmHeader);
  }
}
