/**
 * Consent from the site's consent manager (SPEC §15): where an account's consent comes from,
 * the Google Consent Mode types, and how the decision and its source are written in Pantry's
 * consent cookie. Pure data, shared by the properties, the visitor API and the snippet.
 */

/** `consent.source`. */
export const CONSENT_SOURCES = ['PANTRY', 'TCF', 'GOOGLE_CONSENT_MODE'] as const;
export type ConsentSource = (typeof CONSENT_SOURCES)[number];

/** The storage types of Google Consent Mode v2 (`consent.googleConsentType`). */
export const GOOGLE_CONSENT_TYPES = [
  'analytics_storage',
  'ad_storage',
  'ad_user_data',
  'ad_personalization',
  'functionality_storage',
  'personalization_storage',
  'security_storage',
] as const;
export type GoogleConsentType = (typeof GOOGLE_CONSENT_TYPES)[number];

/** The purposes TCF v2.2 and v2.3 define (1 = store and/or access information on a device). */
export const TCF_PURPOSES = 11;

/**
 * The longest TC string read (header or `euconsent-v2` cookie). Real strings with a disclosed
 * vendors segment are a few KiB; anything longer is not decoded, and counts as no consent.
 */
export const MAX_TC_STRING = 16 * 1024;

/** The request header the snippet sends the CMP's signal in, after the server prefix. */
export const TCF_HEADER = 'tcf';
export const GOOGLE_CONSENT_HEADER = 'gcm';
/** The cookie TCF CMPs keep the TC string in (same-site requests carry it). */
export const TCF_COOKIE = 'euconsent-v2';

/** How a decision's source is written in the consent cookie's id and the visitor record. */
export type DecisionSource = 'pantry' | 'tcf' | 'gcm';

/**
 * The consent cookie's ids: `granted`, `denied` (a `consent()` call, as before sources
 * existed), `tcf-granted`, `tcf-denied`, `gcm-granted`, `gcm-denied`: few values, so that
 * each is signed once per account and process.
 */
export function consentCookieId(granted: boolean, source: DecisionSource): string {
  const decision = granted ? 'granted' : 'denied';
  return source === 'pantry' ? decision : `${source}-${decision}`;
}

/** A consent cookie id read back: the decision and its source, or null for anything else. */
export function readConsentCookieId(
  id: string,
): { readonly granted: boolean; readonly source: DecisionSource } | null {
  return CONSENT_IDS.get(id) ?? null;
}

// Built in a call marked pure: the snippet imports this file for its names, and esbuild drops
// what its bundle does not use.
const CONSENT_IDS = /* @__PURE__ */ (() =>
  new Map(
    (['pantry', 'tcf', 'gcm'] as const).flatMap((source) =>
      [true, false].map(
        (granted) => [consentCookieId(granted, source), { granted, source }] as const,
      ),
    ),
  ))();
