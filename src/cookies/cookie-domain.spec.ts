import fc from 'fast-check';
import { CookieDomainSetting } from '../properties/property-values';
import {
  normalizeHost,
  registrableDomain,
  resolveCookieDomains,
  resolveDomain,
} from './cookie-domain';

const NONE: CookieDomainSetting = { mode: 'none' };
const AUTO: CookieDomainSetting = { mode: 'auto' };
const fixed = (domain: string): CookieDomainSetting => ({ mode: 'fixed', domain });

describe(resolveDomain.name, () => {
  it.each<[string, CookieDomainSetting, string | null, string | null]>([
    ['empty: host-only', NONE, 'shop.example.com', null],
    ['AUTO: registrable domain of a subdomain', AUTO, 'shop.example.com', 'example.com'],
    ['AUTO: the registrable domain itself', AUTO, 'example.com', 'example.com'],
    ['AUTO: deep subdomain', AUTO, 'a.b.c.example.com', 'example.com'],
    ['AUTO: two-part public suffix', AUTO, 'shop.example.co.uk', 'example.co.uk'],
    ['AUTO: private section (github.io)', AUTO, 'alice.github.io', 'alice.github.io'],
    ['AUTO: below a private suffix', AUTO, 'www.alice.github.io', 'alice.github.io'],
    ['AUTO: private section (blogspot)', AUTO, 'me.blogspot.com', 'me.blogspot.com'],
    ['AUTO: wildcard rule (*.ck)', AUTO, 'shop.www.ck', 'www.ck'],
    ['AUTO: IPv4 is host-only', AUTO, '127.0.0.1', null],
    ['AUTO: IPv6 is host-only', AUTO, '::1', null],
    ['AUTO: single label is host-only', AUTO, 'localhost', null],
    ['AUTO: a public suffix itself is host-only', AUTO, 'co.uk', null],
    ['AUTO: unlisted TLD uses the default rule', AUTO, 'shop.acme.test', 'acme.test'],
    ['AUTO: punycode', AUTO, 'www.xn--bcher-kva.example', 'xn--bcher-kva.example'],
    ['AUTO: no context host', AUTO, null, null],
    ['fixed: host below', fixed('example.com'), 'shop.example.com', 'example.com'],
    ['fixed: host equal', fixed('example.com'), 'example.com', 'example.com'],
    ['fixed: other site', fixed('example.com'), 'shop.other.com', null],
    ['fixed: suffix trick', fixed('example.com'), 'badexample.com', null],
    ['fixed: parent of the fixed domain', fixed('shop.example.com'), 'example.com', null],
    ['fixed: IP context', fixed('example.com'), '127.0.0.1', null],
  ])('%s', (_what, setting, host, expected) => {
    expect(resolveDomain(setting, host)).toBe(expected);
  });
});

describe(resolveCookieDomains.name, () => {
  it.each<
    [
      string,
      CookieDomainSetting,
      CookieDomainSetting,
      string | null,
      string | null,
      string | null,
      string | null,
    ]
  >([
    // what, setting, clientSetting, context, server, Set-Cookie domain, relay domain
    [
      'server on a subdomain of the site, AUTO',
      AUTO,
      NONE,
      'www.shop.com',
      'cookies.shop.com',
      'shop.com',
      'shop.com',
    ],
    [
      'server on its own domain, AUTO: Set-Cookie host-only',
      AUTO,
      NONE,
      'www.shop.com',
      'pantry.saas.io',
      null,
      'shop.com',
    ],
    [
      'same-origin request, AUTO',
      AUTO,
      NONE,
      'cookies.shop.com',
      'cookies.shop.com',
      'shop.com',
      'shop.com',
    ],
    [
      'fixed domain the server is under',
      fixed('shop.com'),
      NONE,
      'www.shop.com',
      'api.shop.com',
      'shop.com',
      'shop.com',
    ],
    [
      'fixed domain the server is not under',
      fixed('shop.com'),
      NONE,
      'www.shop.com',
      'pantry.io',
      null,
      'shop.com',
    ],
    [
      'client domain set separately',
      NONE,
      fixed('shop.com'),
      'www.shop.com',
      'pantry.io',
      null,
      'shop.com',
    ],
    [
      'client domain AUTO, server cookies host-only',
      NONE,
      AUTO,
      'www.shop.co.uk',
      'pantry.io',
      null,
      'shop.co.uk',
    ],
    [
      'cluster universe-like fixed domain',
      fixed('cluster.example'),
      NONE,
      'n1.cluster.example',
      'n1.cluster.example',
      'cluster.example',
      'cluster.example',
    ],
    ['unknown server host', AUTO, NONE, 'www.shop.com', null, null, 'shop.com'],
    ['IP everywhere', AUTO, NONE, '127.0.0.1', '127.0.0.1', null, null],
  ])('%s', (_what, setting, clientSetting, contextHost, serverHost, setCookie, relay) => {
    expect(resolveCookieDomains({ setting, clientSetting, contextHost, serverHost })).toEqual({
      setCookie,
      relay,
    });
  });

  it('never yields a Set-Cookie domain the server host is not under, nor a public suffix', () => {
    const label = fc.stringMatching(/^[a-z0-9]{1,8}$/);
    const host = fc.oneof(
      fc.array(label, { minLength: 1, maxLength: 4 }).map((ls) => ls.join('.')),
      fc.constantFrom('co.uk', 'github.io', 'localhost', '127.0.0.1', 'a.github.io', 'b.co.uk'),
    );
    const setting = fc.oneof(
      fc.constant(NONE),
      fc.constant(AUTO),
      host.map((d) => fixed(d)),
    );
    fc.assert(
      fc.property(setting, setting, host, host, (s, c, context, server) => {
        const { setCookie, relay } = resolveCookieDomains({
          setting: s,
          clientSetting: c,
          contextHost: context,
          serverHost: server,
        });
        if (setCookie) {
          expect(server === setCookie || server.endsWith(`.${setCookie}`)).toBe(true);
        }
        for (const d of [setCookie, relay]) {
          if (d && s.mode !== 'fixed' && c.mode !== 'fixed') {
            expect(registrableDomain(d)).not.toBeNull();
          }
          if (d) expect(context === d || context.endsWith(`.${d}`)).toBe(true);
        }
      }),
    );
  });
});

describe(normalizeHost.name, () => {
  it.each<[string | undefined, string | null]>([
    ['Shop.Example.COM', 'shop.example.com'],
    ['shop.example.com:8443', 'shop.example.com'],
    ['shop.example.com.', 'shop.example.com'],
    ['127.0.0.1:3000', '127.0.0.1'],
    ['[::1]:3000', '::1'],
    ['localhost', 'localhost'],
    [undefined, null],
    ['', null],
    ['evil.com/path', null],
    ['a b.com', null],
    ['host:port', null],
    ['[::1', null],
    ['exa\u00e9mple.com', null],
    ['x'.repeat(300), null],
  ])('%j → %j', (raw, expected) => {
    expect(normalizeHost(raw)).toBe(expected);
  });

  it('never throws and only returns lower-case hosts without ports', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (raw) => {
        const host = normalizeHost(raw);
        if (host !== null) expect(host).toMatch(/^[a-z0-9.:-]+$/);
      }),
    );
  });
});
