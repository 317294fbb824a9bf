import { closest, distance } from 'fastest-levenshtein';
import { Properties } from 'properties-file/parser';
import { COOKIE_KINDS } from '../vocabulary/cookie-catalog';
import { cookieName } from '../vocabulary/cookie-naming';
import { OriginMatcher, originHost } from '../vocabulary/origin-matcher';
import { keeperSettingId, keepsCookieName } from '../vocabulary/keeper';
import {
  CatalogEntry,
  DEFAULT_VALUES,
  PROPERTY_CATALOG,
  PropertyKey,
  PropertyValues,
  cookieNameKey,
  findProperty,
} from './property-catalog';
import { ACCOUNT_ID_PATTERN, InvalidPropertyValue, quote } from './property-values';
import { drainProblem } from './drain';

/** One problem in the configuration, printed as `FILE:LINE: KEY: PROBLEM`. */
export interface ConfigProblem {
  readonly file: string;
  readonly line: number;
  readonly key: string;
  readonly message: string;
}

export function formatProblem(p: ConfigProblem): string {
  return `${p.file}:${p.line}: ${p.key}: ${p.message}`;
}

/** A configuration that cannot be used; `problems` lists every reason. */
export class ConfigurationError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      `invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map(formatProblem).join('\n'),
    );
    this.name = ConfigurationError.name;
  }
}

/** A properties file as read from disk; `path` is what problems name. */
export interface SourceFile {
  readonly path: string;
  readonly text: string;
}

export type PropertySourceKind = 'default' | 'global' | 'file' | 'api';

/** Where an effective value came from. */
export interface PropertyOrigin {
  readonly source: PropertySourceKind;
  /** The value as written ('' for empty). */
  readonly raw: string;
  readonly file?: string;
  readonly line?: number;
}

export interface ResolvedProperties {
  readonly values: PropertyValues;
  readonly origins: { readonly [K in PropertyKey]: PropertyOrigin };
}

interface AccountConfig {
  readonly id: string;
  readonly name: string;
  /** The account file that defines this account. */
  readonly file: string;
  readonly apiKeys: readonly string[];
  /** default < application.properties < account file (API overrides are layered later). */
  readonly properties: ResolvedProperties;
}

export interface Configuration {
  /** default < application.properties: IMMUTABLE and GLOBAL values, defaults for ACCOUNT keys. */
  readonly app: ResolvedProperties;
  readonly accounts: ReadonlyMap<string, AccountConfig>;
}

/** A valid line of a properties file. */
interface Entry {
  readonly entry: CatalogEntry;
  readonly raw: string;
  readonly value: unknown;
  readonly line: number;
}

const DEFAULTS: ResolvedProperties = {
  values: DEFAULT_VALUES,
  origins: Object.fromEntries(
    PROPERTY_CATALOG.map((e) => [e.key, { source: 'default', raw: e.default }]),
  ) as ResolvedProperties['origins'],
};

/**
 * Validates one value against the catalog, exactly as a file line is validated.
 * Returns the parsed value or the problem message.
 */
export function parsePropertyValue(
  entry: CatalogEntry,
  raw: string,
): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: entry.parse(raw.trim()) };
  } catch (e) {
    if (e instanceof InvalidPropertyValue) return { ok: false, message: e.message };
    throw e;
  }
}

export function unknownKeyMessage(rawKey: string): string {
  const lower = rawKey.toLowerCase().replace(/^com\.unblu\./, '');
  const keys = PROPERTY_CATALOG.map((e) => e.key);
  const suggestion = closest(
    lower,
    keys.map((k) => k.toLowerCase()),
  );
  const near = distance(lower, suggestion) <= Math.max(3, Math.floor(lower.length / 4));
  const key = keys.find((k) => k.toLowerCase() === suggestion);
  return near && key ? `unknown property (did you mean "${key}"?)` : 'unknown property';
}

/** Where a key may be written; null when allowed. */
function scopeProblem(entry: CatalogEntry, inAccountFile: boolean): string | null {
  if (inAccountFile && entry.scope !== 'ACCOUNT') {
    return `${entry.scope} property: set it in application.properties, not in an account file`;
  }
  if (!inAccountFile && entry.accountFileOnly) {
    return 'may only be set in an account file (config/accounts/<id>.properties)';
  }
  return null;
}

const TRAILING_COMMENT = /(?:^|\s)[#!](?:\s|$)|\s[#!]/;

/**
 * `key = 0   # a note` is the value `0   # a note` in a `.properties` file (comments are whole
 * lines); said plainly, instead of the value's own complaint about what it was given. Keys whose
 * values may hold ` #` (display names, secrets) keep it, as Java reads them.
 */
export function trailingCommentProblem(entry: CatalogEntry, raw: string): string | null {
  if (entry.mayContainHash) return null;
  const at = TRAILING_COMMENT.exec(raw);
  if (!at) return null;
  const value = raw.slice(0, at.index).trimEnd();
  const comment = raw.slice(at.index).trim();
  const head = `${quote(comment.length > 24 ? `${comment.slice(0, 23)}…` : comment)} is not a comment: .properties values run to the end of the line`;
  if (entry.secret)
    return `${head}, so it would be part of the value; put the comment on its own line`;
  const fix = value === '' ? 'leave the value empty' : `write ${quote(value)} alone after the =`;
  return `${head}, so the value read is ${quote(raw)}; put the comment on its own line and ${fix}`;
}

/** Parses one file against the catalog, collecting every problem. */
function readEntries(file: SourceFile, inAccountFile: boolean, problems: ConfigProblem[]): Entry[] {
  let properties: Properties;
  try {
    properties = new Properties(file.text);
  } catch (e) {
    // The parser rejects malformed \uXXXX escapes for the whole file; find the line for the operator.
    const detail = e instanceof Error ? e.message : String(e);
    const lineIndex = file.text
      .split(/\r\n|\r|\n/)
      .findIndex((l) => /\\u(?![0-9a-fA-F]{4})/.test(l));
    problems.push({
      file: file.path,
      line: lineIndex + 1 || 1,
      key: '(syntax)',
      message: detail,
    });
    return [];
  }
  const entries: Entry[] = [];
  const seen = new Map<PropertyKey, number>();
  for (const node of properties.getProperties()) {
    const line = node.startingLineNumber;
    const at = (key: string, message: string) =>
      problems.push({ file: file.path, line, key, message });
    const entry = findProperty(node.key);
    if (!entry) {
      at(node.key || '(empty key)', unknownKeyMessage(node.key));
      continue;
    }
    const scope = scopeProblem(entry, inAccountFile);
    if (scope) {
      at(entry.key, scope);
      continue;
    }
    const previous = seen.get(entry.key);
    if (previous !== undefined) {
      at(entry.key, `set twice (also on line ${previous}); remove one`);
      continue;
    }
    seen.set(entry.key, line);
    const raw = node.value.trim();
    const comment = trailingCommentProblem(entry, raw);
    if (comment) {
      at(entry.key, comment);
      continue;
    }
    const parsed = parsePropertyValue(entry, raw);
    if (!parsed.ok) {
      at(entry.key, parsed.message);
      continue;
    }
    entries.push({ entry, raw: entry.secret ? '' : raw, value: parsed.value, line });
  }
  return entries;
}

/**
 * Properties layered over a base: only what this layer sets is stored, the rest is inherited
 * through the prototype chain, so 10,000 accounts hold a few own values each instead of a copy
 * of the whole catalog.
 */
export function layered(
  base: ResolvedProperties,
  own: Iterable<readonly [PropertyKey, unknown, PropertyOrigin]>,
): ResolvedProperties {
  const values = Object.create(base.values) as Record<string, unknown>;
  const origins = Object.create(base.origins) as Record<string, PropertyOrigin>;
  for (const [key, value, origin] of own) {
    values[key] = value;
    origins[key] = origin;
  }
  return {
    values: values as unknown as PropertyValues,
    origins: origins as ResolvedProperties['origins'],
  };
}

function layer(
  base: ResolvedProperties,
  entries: readonly Entry[],
  source: PropertySourceKind,
  file: string,
): ResolvedProperties {
  return layered(
    base,
    entries.map((e) => [e.entry.key, e.value, { source, raw: e.raw, file, line: e.line }] as const),
  );
}

/** A combination of values that cannot work; `keys` are the properties involved. */
interface Contradiction {
  readonly keys: readonly PropertyKey[];
  readonly message: string;
}

/**
 * What the validation of `bridge.targets` can see of other accounts (`bridge.partners`):
 * `values` of an account it knows; `complete` when it knows every account (the admin API sees
 * the tenant snapshot; the files alone do not see accounts created through the API).
 */
interface PartnerView {
  values(accountId: string): PropertyValues | undefined;
  readonly complete: boolean;
}

/**
 * Combinations browsers would reject (SPEC §2). Pure; used for files and API overrides alike.
 * Without `partners`, bridge targets that only a partner could serve are left to the check
 * that sees the other accounts (partnerTargetProblems, the admin API).
 */
export function findContradictions(
  values: PropertyValues,
  partners?: PartnerView,
): Contradiction[] {
  const found: Contradiction[] = [];
  if (!values['identifier.cookieSecureFlag']) {
    if (values['identifier.cookieSameSite'] === 'None') {
      found.push({
        keys: ['identifier.cookieSameSite', 'identifier.cookieSecureFlag'],
        message:
          'SameSite=None requires identifier.cookieSecureFlag=true (browsers reject it otherwise)',
      });
    }
    if (values['identifier.cookiePartitioned']) {
      found.push({
        keys: ['identifier.cookiePartitioned', 'identifier.cookieSecureFlag'],
        message:
          'Partitioned requires identifier.cookieSecureFlag=true (browsers reject it otherwise)',
      });
    }
  }
  found.push(...cookieNameContradictions(values));
  found.push(...bridgeTargetContradictions(values, partners));
  return found;
}

/** Whether an account (its values) can redeem a token at `target`: its allowed origin or host. */
function servesTarget(values: PropertyValues, target: string): boolean {
  if (new OriginMatcher(values['server.cors.allowedOrigins']).allows(target)) return true;
  if (target.includes('*')) return values['server.cors.allowedOrigins'].includes(target);
  return values['proxy.hosts'].includes(originHost(target));
}

/**
 * A bridge target must be somewhere the snippet can redeem the token: an allowed origin (a
 * wildcard there covers its subdomains) or a host (`proxy.hosts`) of this account or of one of
 * its `bridge.partners`. A partner the view does not know is a problem when the view knows
 * every account; otherwise (files without the database) its targets cannot be checked here.
 */
function bridgeTargetContradictions(
  values: PropertyValues,
  partners: PartnerView | undefined,
): Contradiction[] {
  const ids = values['bridge.partners'];
  const known = partners ? ids.map((id) => partners.values(id)) : [];
  const found: Contradiction[] = [];
  if (partners?.complete) {
    const unknown = ids.filter((_, i) => known[i] === undefined);
    if (unknown.length > 0) {
      found.push({
        keys: ['bridge.partners'],
        message: `names no account: ${unknown.map((id) => JSON.stringify(id)).join(', ')} (bridge.partners lists account ids)`,
      });
    }
  }
  // Partners not checked here: without a view, or accounts the view cannot see.
  const unchecked =
    ids.length > 0 && (!partners || (!partners.complete && known.includes(undefined)));
  if (unchecked) return found;
  const bad = values['bridge.targets'].filter(
    (target) =>
      !servesTarget(values, target) &&
      !known.some((p) => p !== undefined && servesTarget(p, target)),
  );
  return found.concat(
    bad.map((target) => ({
      keys: ['bridge.targets', 'server.cors.allowedOrigins', 'bridge.partners'] as PropertyKey[],
      message: `bridge target ${JSON.stringify(target)} is neither an allowed origin (server.cors.allowedOrigins) nor one of the proxy.hosts of this account${ids.length ? ' or of its bridge.partners' : ''}: the token could not be redeemed there`,
    })),
  );
}

/**
 * The files' bridge targets that only a partner account could serve, checked once every file
 * account is read (partners that are not file accounts may be API-created: not checked).
 */
function partnerTargetProblems(accounts: ReadonlyMap<string, AccountConfig>): ConfigProblem[] {
  const view: PartnerView = {
    values: (id) => accounts.get(id)?.properties.values,
    complete: false,
  };
  const found: ConfigProblem[] = [];
  for (const account of accounts.values()) {
    const { values, origins } = account.properties;
    if (values['bridge.partners'].length === 0) continue;
    for (const c of bridgeTargetContradictions(values, view)) {
      const key = c.keys[0];
      found.push({
        file: origins[key].file ?? account.file,
        line: origins[key].line ?? 1,
        key,
        message: c.message,
      });
    }
  }
  return found;
}

/** Stands for the API key in names computed without one (no key contains `<`). */
const ANY_API_KEY = '<apiKey>';

/**
 * Cookie names browsers would silently drop or merge: two cookies under one name (the second
 * overwrites the first), and the `__Host-` / `__Secure-` name prefixes without the attributes
 * they demand (RFC 6265bis: Secure for both; for `__Host-` also Path=/ and no Domain).
 */
function cookieNameContradictions(values: PropertyValues): Contradiction[] {
  const found: Contradiction[] = [];
  const scoped = new Set(values['identifier.accountScopedCookies']);
  const cookies = COOKIE_KINDS.map((kind) => ({
    kind,
    key: cookieNameKey(kind),
    name: cookieName(kind, {
      prefix: values['identifier.cookieNamePrefix'],
      override: values[cookieNameKey(kind)],
      multiAccount: values['server.multiAccount'],
      accountScoped: scoped.has(kind),
      apiKey: ANY_API_KEY,
    }),
  }));
  const byName = new Map<string, typeof cookies>();
  for (const c of cookies) byName.set(c.name, [...(byName.get(c.name) ?? []), c]);
  for (const [name, same] of byName) {
    if (same.length < 2) continue;
    found.push({
      keys: [
        ...same.map((c) => c.key),
        'identifier.cookieNamePrefix',
        'identifier.accountScopedCookies',
      ],
      message: `the ${same.map((c) => c.kind).join(' and ')} cookies would all be named ${JSON.stringify(name)}; browsers keep one cookie per name, so give each its own`,
    });
  }
  const nameKeys = (prefix: string) => {
    const matching = cookies.filter((c) => c.name.toLowerCase().startsWith(prefix.toLowerCase()));
    return {
      matching,
      keys: ['identifier.cookieNamePrefix', ...matching.map((c) => c.key)] as PropertyKey[],
    };
  };
  const host = nameKeys('__Host-');
  if (host.matching.length > 0) {
    const what = `cookie names starting with __Host- (${host.matching.map((c) => c.name).join(', ')})`;
    if (!values['identifier.cookieSecureFlag']) {
      found.push({
        keys: [...host.keys, 'identifier.cookieSecureFlag'],
        message: `${what} require identifier.cookieSecureFlag=true; browsers reject them otherwise`,
      });
    }
    if (values['identifier.cookiePath'] !== '/') {
      found.push({
        keys: [...host.keys, 'identifier.cookiePath'],
        message: `${what} require identifier.cookiePath=/; browsers reject them otherwise`,
      });
    }
    const domainKey = values['identifier.clusterEnabled']
      ? 'identifier.clusterUniverseCookieDomain'
      : 'identifier.cookieDomain';
    if (values[domainKey].mode !== 'none') {
      found.push({
        keys: [...host.keys, domainKey],
        message: `${what} must not carry a Domain: leave ${domainKey} empty; browsers reject them otherwise`,
      });
    }
  }
  const secure = nameKeys('__Secure-');
  if (secure.matching.length > 0 && !values['identifier.cookieSecureFlag']) {
    found.push({
      keys: [...secure.keys, 'identifier.cookieSecureFlag'],
      message: `cookie names starting with __Secure- (${secure.matching.map((c) => c.name).join(', ')}) require identifier.cookieSecureFlag=true; browsers reject them otherwise`,
    });
  }
  // A kept cookie named as one of Pantry's own: the keeper would overwrite it with an SDK's value
  // (or Pantry its value with its own), and the browser keeps one cookie per name.
  for (const setting of values['keeper.cookies']) {
    const taken = cookies.filter((c) => {
      const [before, after] = c.name.split(ANY_API_KEY);
      if (after === undefined) return keepsCookieName(setting, c.name);
      // An account-scoped name: the same for every API key but for the key itself.
      return setting.adapter === 'cookie'
        ? setting.name.length > before.length + after.length &&
            setting.name.startsWith(before) &&
            setting.name.endsWith(after)
        : keepsCookieName(setting, `${before}k1234567${after}`);
    });
    if (taken.length === 0) continue;
    found.push({
      keys: ['keeper.cookies', ...taken.map((c) => c.key)],
      message: `keeper.cookies ${keeperSettingId(setting)} names Pantry's own ${taken.map((c) => `${c.kind} cookie (${c.name})`).join(' and ')}; keep only the SDKs' cookies, or rename Pantry's`,
    });
  }
  return found;
}

/** Reports each contradiction at the line of a key that `file` itself sets. */
function contradictionProblems(
  resolved: ResolvedProperties,
  file: string,
  source: PropertySourceKind,
): ConfigProblem[] {
  return findContradictions(resolved.values).flatMap((c) => {
    const key = c.keys.find((k) => resolved.origins[k].source === source);
    if (!key) return []; // inherited: already reported where it was set
    return [{ file, line: resolved.origins[key].line ?? 1, key, message: c.message }];
  });
}

/**
 * A `server.drainSeconds` set in application.properties that leaves too little of the grace
 * (drain.ts). The default is not reported: it is shortened to fit (a line at start).
 */
function drainProblems(app: ResolvedProperties, file: string): ConfigProblem[] {
  const origin = app.origins['server.drainSeconds'];
  if (origin.source === 'default') return [];
  const message = drainProblem(
    app.values['server.drainSeconds'],
    app.values['server.shutdownTimeoutSeconds'],
  );
  return message ? [{ file, line: origin.line ?? 1, key: 'server.drainSeconds', message }] : [];
}

/** Files in the order they were read, each file's problems by line. */
function inFileOrder(problems: ConfigProblem[]): ConfigProblem[] {
  const fileOrder = new Map<string, number>();
  for (const p of problems) if (!fileOrder.has(p.file)) fileOrder.set(p.file, fileOrder.size);
  return problems
    .map((p, i) => ({ p, i }))
    .sort(
      (a, b) =>
        fileOrder.get(a.p.file)! - fileOrder.get(b.p.file)! || a.p.line - b.p.line || a.i - b.i,
    )
    .map(({ p }) => p);
}

function accountIdFromPath(path: string): string {
  const base = path.split(/[\\/]/).pop() ?? path;
  return base.replace(/\.properties$/i, '');
}

/**
 * Builds the configuration from application.properties and the account files, or reports
 * every problem found. Pure: the caller reads the files.
 */
export function buildConfiguration(
  appFile: SourceFile | null,
  accountFiles: readonly SourceFile[],
  listen?: ListenAddress,
): { ok: true; configuration: Configuration } | { ok: false; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  let app = DEFAULTS;
  if (appFile) {
    app = layer(DEFAULTS, readEntries(appFile, false, problems), 'global', appFile.path);
    problems.push(...contradictionProblems(app, appFile.path, 'global'));
    problems.push(...drainProblems(app, appFile.path));
  }

  const accounts = new Map<string, AccountConfig>();
  const keyOwners = new Map<string, { file: string; line: number }>();
  const hostOwners = new Map<string, { file: string; line: number }>();
  for (const file of [...accountFiles].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    const id = accountIdFromPath(file.path);
    const before = problems.length;
    if (!ACCOUNT_ID_PATTERN.test(id)) {
      problems.push({
        file: file.path,
        line: 1,
        key: '(account id)',
        message: `${quote(id)} is not a valid account id: the file name must match [a-z0-9][a-z0-9-]{0,62}.properties`,
      });
    }
    const properties = layer(app, readEntries(file, true, problems), 'file', file.path);
    problems.push(...contradictionProblems(properties, file.path, 'file'));

    const apiKeys = properties.values['account.apiKeys'];
    const keysLine = properties.origins['account.apiKeys'].line ?? 1;
    const keysReported = problems
      .slice(before)
      .some((p) => p.key === 'account.apiKeys' && p.file === file.path);
    if (apiKeys.length === 0 && !keysReported) {
      // An account without keys cannot be reached; an emptied or truncated file would
      // otherwise silently cut off every page that embeds the account's snippet.
      problems.push({
        file: file.path,
        line: keysLine,
        key: 'account.apiKeys',
        message:
          'an account file must define at least one API key (account.apiKeys = KEY); to retire the account, delete the file',
      });
    }
    for (const key of apiKeys) {
      const owner = keyOwners.get(key);
      if (owner) {
        problems.push({
          file: file.path,
          line: keysLine,
          key: 'account.apiKeys',
          message: `API key ${quote(key)} is already used by ${owner.file}:${owner.line}; API keys must be unique across accounts`,
        });
      } else {
        keyOwners.set(key, { file: file.path, line: keysLine });
      }
    }
    problems.push(...proxyProblems(file.path, properties, hostOwners));
    if (problems.length === before) {
      accounts.set(id, {
        id,
        name: properties.values['account.name'] ?? id,
        file: file.path,
        apiKeys,
        properties,
      });
    }
  }
  problems.push(...proxyLoops(accounts, hostOwners, listen));
  problems.push(...partnerTargetProblems(accounts));
  return problems.length > 0
    ? { ok: false, problems: inFileOrder(problems) }
    : { ok: true, configuration: { app, accounts } };
}

/**
 * Document and edge mode (SPEC §8, §16): a host belongs to one account. Without `proxy.upstream`
 * the hosts are an edge-only site (the site's own proxy asks for the cookies).
 */
function proxyProblems(
  file: string,
  properties: ResolvedProperties,
  hostOwners: Map<string, { file: string; line: number }>,
): ConfigProblem[] {
  const hosts = properties.values['proxy.hosts'];
  if (hosts.length === 0) return [];
  const line = properties.origins['proxy.hosts'].line ?? 1;
  const found: ConfigProblem[] = [];
  for (const host of hosts) {
    const owner = hostOwners.get(host);
    if (owner) {
      found.push({
        file,
        line,
        key: 'proxy.hosts',
        message: `${JSON.stringify(host)} is already served for ${owner.file}:${owner.line}; a host belongs to one account`,
      });
    } else {
      hostOwners.set(host, { file, line });
    }
  }
  return found;
}

/**
 * An upstream that is itself one of the proxied hosts would send every request back through
 * Pantry, forever: refused at load (a runtime guard catches loops through other names).
 */
function proxyLoops(
  accounts: ReadonlyMap<string, AccountConfig>,
  hostOwners: ReadonlyMap<string, { file: string; line: number }>,
  listen: ListenAddress | undefined,
): ConfigProblem[] {
  const found: ConfigProblem[] = [];
  for (const account of accounts.values()) {
    const upstream = account.properties.values['proxy.upstream'];
    if (upstream === null) continue;
    const url = new URL(upstream);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    if (listen && listen.port !== 0 && port === listen.port && isOwnHost(host, listen.host)) {
      found.push({
        file: account.file,
        line: account.properties.origins['proxy.upstream'].line ?? 1,
        key: 'proxy.upstream',
        message: `${JSON.stringify(upstream)} is Pantry's own address (it listens on ${listen.host}:${listen.port}): a loop; point it at the site’s origin server`,
      });
      continue;
    }
    const owner = hostOwners.get(host);
    if (owner) {
      found.push({
        file: account.file,
        line: account.properties.origins['proxy.upstream'].line ?? 1,
        key: 'proxy.upstream',
        message: `${JSON.stringify(upstream)} is served by Pantry itself (proxy.hosts of ${owner.file}:${owner.line}): a loop; point it at the site’s origin server`,
      });
    }
  }
  return found;
}

/** Where this server listens (HOST, PORT), to recognise an upstream that is Pantry itself. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

function isOwnHost(host: string, listenHost: string): boolean {
  const h = host.toLowerCase();
  return (
    h === listenHost.toLowerCase() ||
    h === 'localhost' ||
    h === '::1' ||
    h.startsWith('127.') ||
    ((listenHost === '0.0.0.0' || listenHost === '::') && (h === '0.0.0.0' || h === '::'))
  );
}
