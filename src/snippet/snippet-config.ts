/** Settings baked into the snippet for one account (SPEC §4–5). Short keys keep it small. */
export interface SnippetConfig {
  /** API key */
  readonly k: string;
  /** corsCookieMode */
  readonly m: 'PRODUCT_DOMAIN' | 'LOCAL_STORAGE' | 'LOCAL_DOMAIN_STORAGE';
  /** server prefix (header and storage names), e.g. `x-unblu-` */
  readonly p: string;
  /** seconds during which stored copies and the last answer count as fresh (0: always call) */
  readonly f: number;
  /** the visitor API's public base URL, when a trusted proxy announced it (X-Forwarded-*) */
  readonly b?: string;
  /** bridge targets whose links the snippet decorates (`bridge.decorateLinks`), as origins */
  readonly t?: string[];
  /**
   * consent.source when it is the site's CMP (SPEC §15): `TCF` (read `__tcfapi`, send the TC
   * string in `<prefix>tcf`) or `GOOGLE_CONSENT_MODE` (follow the `dataLayer`, send
   * `<prefix>gcm`); absent for `PANTRY`
   */
  readonly c?: 'TCF' | 'GOOGLE_CONSENT_MODE';
  /** consent.googleConsentType, with `c: GOOGLE_CONSENT_MODE` or `u` */
  readonly g?: string;
  /** consent.publishGoogleConsentMode: push Pantry's decision as a consent `update` */
  readonly u?: 1;
}

/** The placeholder the server replaces with the account's SnippetConfig as JSON. */
export const SNIPPET_CONFIG_PLACEHOLDER = '__PANTRY_CONFIG__';

/** The Promise-returning functions of `window.pantry`; the stand-in (a bad key) has each too. */
export const PANTRY_FUNCTIONS = ['consent', 'bridge', 'login', 'logout'] as const;
export type PantryFunction = (typeof PANTRY_FUNCTIONS)[number];

/**
 * The global keep.js defines (after the server's header prefix, `window["x-unblu-keep"]`):
 * `{k: apiKey, a: identify's answer}`, taken by the snippet instead of calling identify.
 */
export const KEEP_GLOBAL = 'keep';
