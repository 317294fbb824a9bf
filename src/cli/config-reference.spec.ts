import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  COOKIES_END,
  COOKIES_START,
  REFERENCE_END,
  REFERENCE_START,
  renderConfigReference,
  withConfigReference,
} from './config-reference';
import { PROPERTY_CATALOG } from '../properties/property-catalog';

/** The body rows of a markdown table, each split into its cells (`\|` stays inside a cell). */
function rows(table: string): string[][] {
  return table
    .split('\n')
    .slice(2)
    .map((line) =>
      line
        .replace(/^\| | \|$/g, '')
        .split(/ (?<!\\)\| /)
        .map((c) => c.trim()),
    );
}

/** A section of README.md between its markers, each of which must appear exactly once. */
function section(readme: string, start: string, end: string): string {
  expect(readme.split(start)).toHaveLength(2);
  expect(readme.split(end)).toHaveLength(2);
  return readme.slice(readme.indexOf(start) + start.length, readme.indexOf(end)).trim();
}

describe('configuration reference', () => {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  const reference = rows(section(readme, REFERENCE_START, REFERENCE_END));
  const cookies = rows(section(readme, COOKIES_START, COOKIES_END));
  const catalogKeys = PROPERTY_CATALOG.map((e) => e.key);

  it('in README.md matches the property catalog (run `npm run docs:config`)', () => {
    expect(withConfigReference(readme)).toBe(readme);
  });

  it('has unique catalog keys, and the generator writes one row of five cells for each', () => {
    expect(new Set(catalogKeys).size).toBe(catalogKeys.length);
    const generated = rows(renderConfigReference());
    expect(generated.map((cells) => cells.length)).toEqual(catalogKeys.map(() => 5));
    expect(generated.map(([key]) => key)).toEqual(catalogKeys.map((k) => `\`${k}\``));
  });

  // Written out here, not read from the catalog: what an operator reads in README.md.
  it.each([
    ['account.apiKeys', 'ACCOUNT (account file only)', '—'],
    ['server.multiAccount', 'IMMUTABLE', '`true`'],
    ['server.publicPathPrefix', 'IMMUTABLE', '`/unblu`'],
    ['server.shutdownTimeoutSeconds', 'IMMUTABLE', '`10`'],
    ['server.drainSeconds', 'IMMUTABLE', '`7`'],
    ['server.metricsEnabled', 'IMMUTABLE', '`true`'],
    ['server.accessLog', 'GLOBAL', '`errors`'],
    ['database.url', 'IMMUTABLE', '`sqlite:data/pantry.sqlite`'],
    ['identifier.cookieNamePrefix', 'ACCOUNT', '`x-unblu-`'],
    ['identifier.cookieDomain', 'ACCOUNT', 'empty (host-only)'],
    ['identifier.cookieSameSite', 'ACCOUNT', '`AUTO`'],
    ['consent.required', 'ACCOUNT', '`true`'],
    ['consent.cookieMaxAge', 'ACCOUNT', '`31536000`'],
    ['authentication.assertionSecret', 'ACCOUNT', 'empty (login disabled)'],
    ['proxy.hosts', 'ACCOUNT (account file only)', 'empty'],
    ['bridge.tokenTtlSeconds', 'ACCOUNT', '`120`'],
  ])('in README.md documents %s as %s with the default %s', (key, scope, def) => {
    const found = reference.filter(([k]) => k === `\`${key}\``);
    expect(found).toHaveLength(1);
    expect(found[0].slice(1, 3)).toEqual([scope, def]);
  });

  it.each([
    [
      'device',
      'identifier.deviceCookieName',
      '`identifier.deviceCookieMaxAge` (capped at 400 days)',
      'yes',
    ],
    ['session', 'identifier.sessionCookieName', 'browser session', 'no'],
    [
      'consent',
      'identifier.consentCookieName',
      '`consent.cookieMaxAge` (capped at 400 days)',
      'no',
    ],
  ])(
    'in README.md lists the %s cookie, named by %s, lasting %s, consent-gated: %s',
    (kind, nameKey, lifetime, gated) => {
      const found = cookies.filter(([k]) => k === kind);
      expect(found).toHaveLength(1);
      const [, name, , life, gate] = found[0];
      expect([name, life, gate]).toEqual([`\`${kind}\` (\`${nameKey}\`)`, lifetime, gated]);
    },
  );

  it('in README.md names only catalog keys, in the cookie table too', () => {
    const named = [...section(readme, COOKIES_START, COOKIES_END).matchAll(/`([a-z]+\.[\w.]+)`/g)];
    for (const [, key] of named) expect(catalogKeys).toContain(key);
  });
});
