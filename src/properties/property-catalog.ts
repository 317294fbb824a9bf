import { isIP } from 'node:net';
import {
  COOKIE_KINDS,
  CookieCamelName,
  CookieKind,
  cookieCamelName,
} from '../vocabulary/cookie-catalog';
import { CONSENT_SOURCES, GOOGLE_CONSENT_TYPES, TCF_PURPOSES } from '../vocabulary/consent';
import {
  enumParser,
  parseAccountIdList,
  parseKeeperSettings,
  integerParser,
  InvalidPropertyValue,
  isHostName,
  parseAdminToken,
  parseAssertionSecret,
  parseApiKeyList,
  parseBoolean,
  parseCookieDomain,
  parseCookieKindList,
  parseCookieNameOverride,
  parseCookieNamePrefix,
  parseCookiePath,
  parseDatabaseUrl,
  parseDisplayName,
  parseEncryptionKey,
  parseHostList,
  parseOriginList,
  parsePathPrefix,
  parseSigningSecrets,
  parseTcfPurposes,
  parseTcfVendorId,
  parseUpstream,
  quote,
} from './property-values';

/**
 * IMMUTABLE: application.properties only, read at start.
 * GLOBAL: application.properties only, hot-reloaded.
 * ACCOUNT: a default in application.properties, overridden per account (file, then admin API).
 */
export type PropertyScope = 'IMMUTABLE' | 'GLOBAL' | 'ACCOUNT';

interface PropertyDefinition<T = unknown> {
  readonly scope: PropertyScope;
  /** ACCOUNT keys that only an account file may set (not application.properties, not the API). */
  readonly accountFileOnly?: boolean;
  /** The default, written as it would be in a properties file ('' for empty). */
  readonly default: string;
  /** How the default reads in documentation, where it is not a literal value. */
  readonly defaultDoc?: string;
  /** Allowed values, for enumerations: documentation and error messages list them. */
  readonly values?: readonly string[];
  /** Short description of the accepted values. */
  readonly valuesDoc: string;
  readonly description: string;
  /**
   * Free text or secrets, where whitespace then `#` or `!` may be part of the value (Java keeps
   * it). Elsewhere it is taken for a trailing comment, which `.properties` does not have, and
   * reported as one.
   */
  readonly mayContainHash?: boolean;
  /** Secret values are never echoed: not in errors, logs or the admin API. */
  readonly secret?: boolean;
  /** Parses a trimmed raw value; throws InvalidPropertyValue with an operator-facing message. */
  readonly parse: (raw: string) => T;
}

function define<T>(d: PropertyDefinition<T>): PropertyDefinition<T> {
  return d;
}

const MAX_AGE = integerParser(0, 2147483647);
const ADMIN_PORT = integerParser(1, 65535);

/** A listening address: an IP literal or a host name. */
function parseListenHost(raw: string): string {
  if (isIP(raw)) return raw;
  if (isHostName(raw.toLowerCase())) return raw.toLowerCase();
  throw new InvalidPropertyValue(`must be an IP address or a host name (got ${quote(raw)})`);
}
const SAME_SITE = ['Lax', 'Strict', 'None', 'AUTO'] as const;
const CORS_COOKIE_MODES = ['PRODUCT_DOMAIN', 'LOCAL_STORAGE', 'LOCAL_DOMAIN_STORAGE'] as const;
const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
const ACCESS_LOG_LEVELS = ['off', 'errors', 'all'] as const;
export type SameSiteSetting = (typeof SAME_SITE)[number];
export type CorsCookieMode = (typeof CORS_COOKIE_MODES)[number];

type CookieNameKey<K extends CookieKind = CookieKind> =
  `identifier.${CookieCamelName<K>}CookieName`;

export function cookieNameKey<K extends CookieKind>(kind: K): CookieNameKey<K> {
  return `identifier.${cookieCamelName(kind)}CookieName`;
}

const cookieNameDefinitions = Object.fromEntries(
  COOKIE_KINDS.map((kind) => [
    cookieNameKey(kind),
    define({
      scope: 'ACCOUNT',
      default: '',
      defaultDoc: `\`${kind}\``,
      valuesDoc: 'cookie-name characters',
      description: `Name of the ${kind} cookie after the prefix (empty: \`${kind}\`).`,
      parse: parseCookieNameOverride,
    }),
  ]),
) as { [K in CookieKind as CookieNameKey<K>]: PropertyDefinition<string | null> };

/**
 * The property catalog: every key Pantry understands (SPEC §2). Parsing, validation, the
 * admin API's effective view and the README's configuration reference all read this object.
 */
const PROPERTY_DEFINITIONS = {
  'account.name': define({
    scope: 'ACCOUNT',
    accountFileOnly: true,
    default: '',
    defaultDoc: 'the account id',
    valuesDoc: 'display name',
    description: 'Display name of the account.',
    mayContainHash: true,
    parse: parseDisplayName,
  }),
  'account.apiKeys': define({
    scope: 'ACCOUNT',
    accountFileOnly: true,
    default: '',
    defaultDoc: '—',
    valuesDoc: 'comma list of `[A-Za-z0-9_-]{8,64}`',
    description: 'API keys of this account, unique across all accounts.',
    parse: parseApiKeyList,
  }),
  'server.multiAccount': define({
    scope: 'IMMUTABLE',
    default: 'true',
    valuesDoc: '`true`, `false`',
    description:
      'Multi-account mode: account-scoped cookie names carry the API key, so accounts sharing a domain keep apart.',
    parse: parseBoolean,
  }),
  'server.publicPathPrefix': define({
    scope: 'IMMUTABLE',
    default: '/unblu',
    valuesDoc: 'a path',
    description: 'Entry path of the visitor API and snippet.',
    parse: parsePathPrefix,
  }),
  'server.trustProxy': define({
    scope: 'IMMUTABLE',
    default: 'false',
    valuesDoc: '`true`, `false`',
    description:
      'Honour `X-Forwarded-Host` / `X-Forwarded-Proto`; enable only behind a proxy that sets them.',
    parse: parseBoolean,
  }),
  'server.requestTimeoutSeconds': define({
    scope: 'IMMUTABLE',
    default: '30',
    valuesDoc: 'seconds, 1–30',
    description:
      'A request, headers and body, must arrive within this time; one that trickles in is answered 408 and closed.',
    parse: integerParser(1, 30),
  }),
  'server.maxConnectionsPerAddress': define({
    scope: 'IMMUTABLE',
    default: '256',
    valuesDoc: '0–1000000 (0: no limit)',
    description:
      'Open connections one client address may hold; further ones are closed at once. Behind a reverse proxy every connection comes from the proxy: raise it, or set 0 and limit at the proxy.',
    parse: integerParser(0, 1_000_000),
  }),
  'server.shutdownTimeoutSeconds': define({
    scope: 'IMMUTABLE',
    default: '10',
    valuesDoc: 'seconds, 1–300',
    description:
      "On SIGTERM or SIGINT a node drains (`server.drainSeconds`), then stops accepting, closes idle keep-alive connections at once and busy ones after their answer, writes the queued visitor sightings, closes the database and exits, all within this time; a request still unfinished near the end (half of what the drain leaves, at most 3 s, before it) is cut. Set the orchestrator's grace (Kubernetes `terminationGracePeriodSeconds`) a few seconds above it.",
    parse: integerParser(1, 300),
  }),
  'server.drainSeconds': define({
    scope: 'IMMUTABLE',
    default: '7',
    valuesDoc: 'seconds, 0–298 (0: no drain)',
    description:
      'On SIGTERM or SIGINT a node first answers `/health/ready` (and `/health`) 503 `draining` and keeps serving everything else for this long, each answer closing its keep-alive connection, so a load balancer takes it out before it stops accepting; then it stops as `server.shutdownTimeoutSeconds` says, the drain counted in that grace. The default 7 suits a health check every 2 s with HAProxy’s default `fall 3`: three failed checks, the first up to 2 s after the signal, take at most 6 s, plus a second of margin. At least 2 s of the grace must remain after the drain (for requests in flight and the last flush): a value set here that leaves less is a configuration problem; the default is shortened to fit a shorter grace, with a line in the log. A second signal ends the drain at once (Ctrl-C twice).',
    parse: integerParser(0, 298),
  }),
  'server.metricsEnabled': define({
    scope: 'IMMUTABLE',
    default: 'true',
    valuesDoc: '`true`, `false`',
    description: 'Prometheus metrics at `/metrics`; `false` serves none and counts nothing.',
    parse: parseBoolean,
  }),
  'server.metricsPort': define({
    scope: 'IMMUTABLE',
    default: '0',
    valuesDoc: '0–65535 (0: the main port)',
    description:
      'Serve `GET /metrics` (Prometheus) only on this port, for scrapers on an internal network; 0 serves it on the main port.',
    parse: integerParser(0, 65535),
  }),
  'server.adminPort': define({
    scope: 'IMMUTABLE',
    default: '',
    defaultDoc: 'empty (off)',
    valuesDoc: 'empty, or 1–65535',
    description:
      'Serve the operator routes (admin API, `/admin/docs`, `/metrics`, the demo) only on this port, at `server.adminHost`; the main port then answers them 404. Health routes answer on both ports.',
    parse: (raw) => (raw === '' ? null : ADMIN_PORT(raw)),
  }),
  'server.adminHost': define({
    scope: 'IMMUTABLE',
    default: '127.0.0.1',
    valuesDoc: 'an IP address or host name',
    description: 'Listening address of `server.adminPort`.',
    parse: parseListenHost,
  }),
  'server.operatorRoutesViaProxy': define({
    scope: 'GLOBAL',
    default: 'false',
    valuesDoc: '`true`, `false`',
    description:
      'Without `server.adminPort`, under `server.trustProxy`: `false` answers 404 to an operator route reached through the proxy (a request with `X-Forwarded-Prefix` or `X-Forwarded-Host`); `true` serves it.',
    parse: parseBoolean,
  }),
  'server.metricsPerAccount': define({
    scope: 'GLOBAL',
    default: 'false',
    valuesDoc: '`true`, `false`',
    description:
      'Label cookie, origin, bridge and login metrics with the account id (one series per account: mind the cardinality).',
    parse: parseBoolean,
  }),
  'server.logFormat': define({
    scope: 'IMMUTABLE',
    default: 'auto',
    values: LOG_FORMATS,
    valuesDoc: LOG_FORMATS.map((v) => `\`${v}\``).join(', '),
    description:
      '`json`: one JSON object per line with a request id; `pretty`: human lines; `auto`: `pretty` on a terminal, else `json`.',
    parse: enumParser(LOG_FORMATS),
  }),
  'server.accessLog': define({
    scope: 'GLOBAL',
    default: 'errors',
    values: ACCESS_LOG_LEVELS,
    valuesDoc: ACCESS_LOG_LEVELS.map((v) => `\`${v}\``).join(', '),
    description:
      'Access log, one JSON line per request (`{"msg":"request","reqId","method","route","status","ms","account","outcome"}`; no visitor ids, cookies, tokens, customer ids or addresses): `errors` logs every answer ≥ 400 and every refusal or failed bridge even when answered 200; `all` every request; `off` none.',
    parse: enumParser(ACCESS_LOG_LEVELS),
  }),
  'database.url': define({
    scope: 'IMMUTABLE',
    default: 'sqlite:data/pantry.sqlite',
    valuesDoc: '`sqlite:PATH`, `sqlite::memory:`, `postgres://user:password@host:port/db`',
    description:
      'Database. A relative SQLite path is relative to the working directory; its folder is the data directory (generated secrets live there). PostgreSQL (`postgresql://` too; TLS options in the query string, e.g. `?sslmode=require`) lets several nodes share one database; generated secrets are then kept in it.',
    parse: parseDatabaseUrl,
  }),
  'admin.token': define({
    scope: 'IMMUTABLE',
    default: '',
    defaultDoc: 'generated at first start, printed once',
    valuesDoc: '16–512 visible ASCII characters',
    description: 'Bearer token of the admin API. `PANTRY_ADMIN_TOKEN` overrides it.',
    secret: true,
    parse: parseAdminToken,
  }),
  'admin.consoleSessionIdleSeconds': define({
    scope: 'GLOBAL',
    default: '1800',
    valuesDoc: 'seconds, 1–86400',
    description:
      'An operator console session unused for this long ends (the next call answers 401 and the console signs in again); the same on every node.',
    parse: integerParser(1, 86_400),
  }),
  'admin.consoleSessionMaxSeconds': define({
    scope: 'GLOBAL',
    default: '43200',
    valuesDoc: 'seconds, 1–604800',
    description:
      'An operator console session ends this long after its sign-in, however busy; it is also the session cookie’s `Max-Age`.',
    parse: integerParser(1, 604_800),
  }),
  'identifier.signingSecrets': define({
    scope: 'IMMUTABLE',
    default: '',
    defaultDoc: 'generated at first start, kept in the data directory',
    valuesDoc: 'comma list, each ≥ 32 characters',
    description:
      'HMAC secrets for cookie values: the first signs, all verify (rotation). Set it explicitly when several nodes share a database.',
    secret: true,
    mayContainHash: true,
    parse: parseSigningSecrets,
  }),
  'server.aes.encryptionKey': define({
    scope: 'IMMUTABLE',
    default: '',
    defaultDoc: 'generated like the above',
    valuesDoc: 'base64 of 32 bytes',
    description: 'AES-256-GCM key for encrypted values.',
    secret: true,
    parse: parseEncryptionKey,
  }),
  'identifier.cookieNamePrefix': define({
    scope: 'ACCOUNT',
    default: 'x-unblu-',
    valuesDoc: 'cookie-name characters',
    description:
      'Prefix of every cookie name. The value in application.properties also names the relay, echo and API-key headers.',
    parse: parseCookieNamePrefix,
  }),
  ...cookieNameDefinitions,
  'identifier.accountScopedCookies': define({
    scope: 'GLOBAL',
    default: 'session,authsession,anonymous-person,device,consent',
    valuesDoc: `comma list of ${COOKIE_KINDS.map((k) => `\`${k}\``).join(', ')}`,
    description: 'Cookies whose names carry the API key in multi-account mode.',
    parse: parseCookieKindList,
  }),
  'identifier.cookieDomain': define({
    scope: 'ACCOUNT',
    default: '',
    defaultDoc: 'empty (host-only)',
    valuesDoc: 'empty, `AUTO` (alias `automatic`), or a domain such as `.example.com`',
    description:
      '`AUTO` picks the registrable domain of the page by the Public Suffix List. A public suffix is refused.',
    parse: parseCookieDomain,
  }),
  'identifier.visitorClientCookieDomain': define({
    scope: 'ACCOUNT',
    default: '',
    defaultDoc: 'empty (as `identifier.cookieDomain`)',
    valuesDoc: 'as `identifier.cookieDomain`',
    description: 'Domain of the copies the snippet stores on the visitor’s page.',
    parse: parseCookieDomain,
  }),
  'identifier.clusterEnabled': define({
    scope: 'IMMUTABLE',
    default: 'false',
    valuesDoc: '`true`, `false`',
    description: 'Cluster mode: cookies use `identifier.clusterUniverseCookieDomain`.',
    parse: parseBoolean,
  }),
  'identifier.clusterUniverseCookieDomain': define({
    scope: 'GLOBAL',
    default: '',
    defaultDoc: 'empty',
    valuesDoc: 'as `identifier.cookieDomain`',
    description: 'Used instead of `identifier.cookieDomain` in cluster mode.',
    parse: parseCookieDomain,
  }),
  'identifier.cookiePath': define({
    scope: 'ACCOUNT',
    default: '/',
    valuesDoc: 'a path starting with `/`',
    description: 'Path attribute of every cookie.',
    parse: parseCookiePath,
  }),
  'identifier.cookieSecureFlag': define({
    scope: 'ACCOUNT',
    default: 'true',
    valuesDoc: '`true`, `false`',
    description: 'Secure attribute. Required by `SameSite=None` and `Partitioned`.',
    parse: parseBoolean,
  }),
  'identifier.cookieSameSite': define({
    scope: 'ACCOUNT',
    default: 'AUTO',
    values: SAME_SITE,
    valuesDoc: SAME_SITE.map((v) => `\`${v}\``).join(', '),
    description: '`AUTO`: `None` on allowed cross-site requests when Secure, else `Lax`.',
    parse: enumParser(SAME_SITE),
  }),
  'identifier.cookiePartitioned': define({
    scope: 'ACCOUNT',
    default: 'false',
    valuesDoc: '`true`, `false`',
    description: 'CHIPS `Partitioned` attribute; requires Secure.',
    parse: parseBoolean,
  }),
  'identifier.deviceCookieMaxAge': define({
    scope: 'ACCOUNT',
    default: '2147483647',
    valuesDoc: 'seconds, 0–2147483647',
    description: 'Lifetime of the device cookie; browsers cap it at 400 days.',
    parse: MAX_AGE,
  }),
  'identifier.anonymousPersonCookieMaxAge': define({
    scope: 'ACCOUNT',
    default: '2147483647',
    valuesDoc: 'seconds, 0–2147483647',
    description: 'Lifetime of the anonymous-person cookie; browsers cap it at 400 days.',
    parse: MAX_AGE,
  }),
  'authentication.cookieMaxAgeSeconds': define({
    scope: 'ACCOUNT',
    default: '604800',
    valuesDoc: 'seconds, 0–2147483647',
    description: 'Lifetime of the authsession cookie.',
    parse: MAX_AGE,
  }),
  'authentication.assertionSecret': define({
    scope: 'ACCOUNT',
    default: '',
    defaultDoc: 'empty (login disabled)',
    valuesDoc: '≥ 32 characters',
    description:
      'HMAC key (HS256) of the login assertions the site’s backend signs. Never shown by the admin API or logged.',
    secret: true,
    mayContainHash: true,
    parse: parseAssertionSecret,
  }),
  'authentication.maxLinkedVisitors': define({
    scope: 'ACCOUNT',
    default: '64',
    valuesDoc: '1–1000',
    description:
      'Anonymous visitor ids a customer keeps linked; beyond it the least recently seen is unlinked.',
    parse: integerParser(1, 1000),
  }),
  'authentication.rotateOnLogout': define({
    scope: 'ACCOUNT',
    default: 'true',
    valuesDoc: '`true`, `false`',
    description: 'A new anonymous-person id after logout.',
    parse: parseBoolean,
  }),
  'consent.cookieMaxAge': define({
    scope: 'ACCOUNT',
    default: '31536000',
    valuesDoc: 'seconds, 0–2147483647',
    description: 'Lifetime of the consent cookie.',
    parse: MAX_AGE,
  }),
  'consent.required': define({
    scope: 'ACCOUNT',
    default: 'true',
    valuesDoc: '`true`, `false`',
    description: 'Identity cookies (device, anonymous-person) only after consent.',
    parse: parseBoolean,
  }),
  'consent.honorGlobalPrivacyControl': define({
    scope: 'ACCOUNT',
    default: 'true',
    valuesDoc: '`true`, `false`',
    description: '`Sec-GPC: 1` counts as denied until the visitor explicitly grants.',
    parse: parseBoolean,
  }),
  'consent.source': define({
    scope: 'ACCOUNT',
    default: 'PANTRY',
    values: CONSENT_SOURCES,
    valuesDoc: CONSENT_SOURCES.map((v) => `\`${v}\``).join(', '),
    description:
      "Where consent comes from (SPEC §15): `PANTRY`, the snippet’s `consent()` calls; `TCF`, the site’s IAB TCF v2.2/v2.3 consent manager (`__tcfapi`, the TC string, decoded by Pantry); `GOOGLE_CONSENT_MODE`, the page’s `gtag('consent', …)` commands. With a CMP, identity cookies need its yes (`consent.required` is implied); Pantry’s consent cookie records the outcome, so a CMP cookie Safari deleted is not needed to know it on the next visit.",
    parse: enumParser(CONSENT_SOURCES),
  }),
  'consent.tcfPurposes': define({
    scope: 'ACCOUNT',
    default: '1',
    valuesDoc: `comma list of TCF purpose ids, 1–${TCF_PURPOSES}`,
    description:
      '`consent.source = TCF`: the purposes that must all be consented (not legitimate interest) for identity cookies; purpose 1 is storing and accessing information on the device.',
    parse: parseTcfPurposes,
  }),
  'consent.tcfVendorId': define({
    scope: 'ACCOUNT',
    default: '',
    defaultDoc: 'empty',
    valuesDoc: 'empty, or a Global Vendor List id (1–65535)',
    description:
      '`consent.source = TCF`: a vendor whose consent is also required (and, in a v2.3 string, its disclosure; a publisher restriction that disallows a required purpose for it counts as no).',
    parse: parseTcfVendorId,
  }),
  'consent.googleConsentType': define({
    scope: 'ACCOUNT',
    default: 'analytics_storage',
    values: GOOGLE_CONSENT_TYPES,
    valuesDoc: GOOGLE_CONSENT_TYPES.map((v) => `\`${v}\``).join(', '),
    description:
      'The Google Consent Mode type that gates identity cookies (`consent.source = GOOGLE_CONSENT_MODE`) and the one Pantry’s decision is published as (`consent.publishGoogleConsentMode`).',
    parse: enumParser(GOOGLE_CONSENT_TYPES),
  }),
  'consent.publishGoogleConsentMode': define({
    scope: 'ACCOUNT',
    default: 'false',
    valuesDoc: '`true`, `false`',
    description:
      "The snippet reports Pantry’s decision to the page’s Google tags as `gtag('consent', 'update', {<consent.googleConsentType>: …})`.",
    parse: parseBoolean,
  }),
  'server.cors.allowedOrigins': define({
    scope: 'ACCOUNT',
    default: '',
    defaultDoc: 'empty',
    valuesDoc: 'comma list of origins; `https://*.example.com` matches any subdomain',
    description: 'Origins allowed to call the visitor API cross-origin, matched exactly.',
    parse: parseOriginList,
  }),
  'server.cors.corsCookieMode': define({
    scope: 'ACCOUNT',
    default: 'PRODUCT_DOMAIN',
    values: CORS_COOKIE_MODES,
    valuesDoc: CORS_COOKIE_MODES.map((v) => `\`${v}\``).join(', '),
    description: 'Where the snippet keeps relayed cookie copies.',
    parse: enumParser(CORS_COOKIE_MODES),
  }),
  'proxy.hosts': define({
    scope: 'ACCOUNT',
    accountFileOnly: true,
    default: '',
    defaultDoc: 'empty',
    valuesDoc: 'comma list of host names',
    description:
      'Document and edge mode: host names this account’s site is served as (unique across accounts). Edge mode: the site’s own proxy asks `GET <prefix>/v1/edge` for the cookies of a document on these hosts. Document mode (with `proxy.upstream`): requests for them that reach Pantry are forwarded to the upstream, except the visitor API, and HTML pages get the identity cookies.',
    parse: parseHostList,
  }),
  'proxy.upstream': define({
    scope: 'ACCOUNT',
    accountFileOnly: true,
    default: '',
    defaultDoc: 'empty',
    valuesDoc: '`http(s)://host[:port]`',
    description:
      'Document mode: the site’s origin server. Empty with `proxy.hosts` set: an edge-only site: Pantry forwards nothing for its hosts.',
    parse: parseUpstream,
  }),
  'proxy.timeoutSeconds': define({
    scope: 'ACCOUNT',
    default: '30',
    valuesDoc: 'seconds, 1–300',
    description:
      'Document mode: an upstream that has not sent its response headers, or goes quiet mid-body, for this long is answered 504.',
    parse: integerParser(1, 300),
  }),
  'keeper.cookies': define({
    scope: 'ACCOUNT',
    default: '',
    defaultDoc: 'empty',
    valuesDoc:
      'comma list of `ga`, `segment`, `rudderstack`, `posthog`, `snowplow`, `matomo`, `treasuredata`, `bloomreach`, `cookie:<name>`',
    description:
      'Cookie keeper (SPEC §14): the analytics SDKs’ own id cookies (`_ga`, `ajs_anonymous_id`, `rl_anonymous_id`, `ph_*_posthog`, `_sp_id.*`, `_pk_id.*`, `_td`, `__exponea_etc__`; `cookie:<name>` for any other, kept as an opaque value) kept server-side under the visitor’s durable id and put back by `Set-Cookie` (400 days, not HttpOnly) before the SDK starts. Only where Pantry answers same-site with the page; the cross-site modes keep nothing.',
    parse: parseKeeperSettings,
  }),
  'keeper.derive': define({
    scope: 'ACCOUNT',
    default: 'false',
    valuesDoc: '`true`, `false`',
    description:
      'When a kept cookie was never seen, mint it from Pantry’s visitor id in the SDK’s own format (`segment`, `rudderstack`, `treasuredata`, `ga`; the others’ cookie names or values depend on the SDK’s own configuration), so every tool starts on the same id.',
    parse: parseBoolean,
  }),
  'bridge.targets': define({
    scope: 'ACCOUNT',
    default: '',
    defaultDoc: 'empty',
    valuesDoc: 'comma list of origins, as `server.cors.allowedOrigins`',
    description:
      'Cross-domain bridge: origins the visitor’s identity may travel to with a one-time token. Each must also be an allowed origin or one of the `proxy.hosts` of this account or of one of its `bridge.partners`.',
    parse: parseOriginList,
  }),
  'bridge.partners': define({
    scope: 'ACCOUNT',
    default: '',
    defaultDoc: 'empty',
    valuesDoc: 'comma list of account ids',
    description:
      'Cross-domain bridge across accounts of one organisation: a token issued by one of these accounts redeems here, adopting its visitor id, when that account lists this one too (mutual opt-in). Any other account’s token is `wrong_account`.',
    parse: parseAccountIdList,
  }),
  'bridge.tokenTtlSeconds': define({
    scope: 'ACCOUNT',
    default: '120',
    valuesDoc: 'seconds, 10–600',
    description: 'How long a bridge token can be redeemed.',
    parse: integerParser(10, 600),
  }),
  'bridge.decorateLinks': define({
    scope: 'ACCOUNT',
    default: 'true',
    valuesDoc: '`true`, `false`',
    description:
      'The snippet carries the identity on clicks on links to `bridge.targets` (a token fetched on click; the plain link after 300 ms without an answer).',
    parse: parseBoolean,
  }),
  'snippet.refreshSeconds': define({
    scope: 'ACCOUNT',
    default: '86400',
    valuesDoc: 'seconds, 0–34560000',
    description:
      'The snippet calls identify at most once per page load, and not at all while its stored copies and last answer are younger than this (0: on every page load). Not used in `PRODUCT_DOMAIN` mode, which keeps nothing.',
    parse: integerParser(0, 34560000),
  }),
} as const;

export type PropertyKey = keyof typeof PROPERTY_DEFINITIONS;

/** The typed value of every property, as parsed. */
export type PropertyValues = {
  readonly [K in PropertyKey]: ReturnType<(typeof PROPERTY_DEFINITIONS)[K]['parse']>;
};

export interface CatalogEntry extends PropertyDefinition {
  readonly key: PropertyKey;
}

/** The catalog as a list, in documentation order. */
export const PROPERTY_CATALOG: readonly CatalogEntry[] = Object.entries(PROPERTY_DEFINITIONS).map(
  ([key, definition]) => ({ key: key as PropertyKey, ...(definition as PropertyDefinition) }),
);

const BY_LOWER_KEY = new Map(PROPERTY_CATALOG.map((e) => [e.key.toLowerCase(), e]));

/** Keys are case-insensitive and accept the `com.unblu.` prefix of Unblu property files. */
export function findProperty(rawKey: string): CatalogEntry | undefined {
  const lower = rawKey.toLowerCase();
  return BY_LOWER_KEY.get(lower.startsWith('com.unblu.') ? lower.slice(10) : lower);
}

/** Values of every key at its catalog default. */
export const DEFAULT_VALUES: PropertyValues = Object.fromEntries(
  PROPERTY_CATALOG.map((e) => [e.key, e.parse(e.default)]),
) as unknown as PropertyValues;
