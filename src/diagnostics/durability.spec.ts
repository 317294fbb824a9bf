import type { CorsCookieMode } from '../properties/property-catalog';
import {
  addressPrefix,
  diagnoseDurability,
  DurabilityInput,
  ResolvedHost,
  sharesAddressSpace,
} from './durability';

const at = (host: string, addresses: string[], cnames: string[] = []): ResolvedHost => ({
  host,
  cnames,
  addresses,
  failed: addresses.length === 0,
});

function input(
  page: string,
  server: string,
  pageHost: ResolvedHost,
  serverHost: ResolvedHost,
  corsCookieMode: CorsCookieMode = 'PRODUCT_DOMAIN',
  proxied: DurabilityInput['proxied'] = null,
): DurabilityInput {
  return {
    page: new URL(page),
    server: new URL(server),
    corsCookieMode,
    proxied,
    pageHost,
    serverHost,
  };
}

const WWW = at('www.shop.com', ['203.0.113.10', '2001:db8:1:2::10']);

describe(diagnoseDurability.name, () => {
  it.each<[string, DurabilityInput, string, number | null, string, string]>([
    [
      'same-origin path: the page reaches its own origin',
      input('https://www.shop.com/cart', 'https://www.shop.com', WWW, WWW),
      'same-origin',
      400,
      'durable',
      'durable',
    ],
    [
      'document mode: the page is served through Pantry',
      input(
        'https://www.shop.com/',
        'https://www.shop.com',
        WWW,
        WWW,
        'PRODUCT_DOMAIN',
        'document',
      ),
      'document',
      400,
      'durable',
      'durable',
    ],
    [
      'edge mode: the site’s own proxy asks Pantry for the cookies',
      input('https://www.shop.com/', 'https://www.shop.com', WWW, WWW, 'PRODUCT_DOMAIN', 'edge'),
      'edge',
      400,
      'durable',
      'durable',
    ],
    [
      'subdomain in the same /16 (IPv4)',
      input(
        'https://www.shop.com/',
        'https://cookies.shop.com',
        WWW,
        at('cookies.shop.com', ['203.0.200.7']),
      ),
      'subdomain',
      400,
      'durable',
      'durable',
    ],
    [
      'subdomain in another /16',
      input(
        'https://www.shop.com/',
        'https://cookies.shop.com',
        WWW,
        at('cookies.shop.com', ['198.51.100.7']),
      ),
      'subdomain',
      7,
      'capped',
      'ip_mismatch',
    ],
    [
      'subdomain in the same /64 (IPv6 only)',
      input(
        'https://www.shop.com/',
        'https://cookies.shop.com',
        WWW,
        at('cookies.shop.com', ['2001:db8:1:2:ffff::1']),
      ),
      'subdomain',
      400,
      'durable',
      'durable',
    ],
    [
      'subdomain in another /64 (IPv6 only)',
      input(
        'https://www.shop.com/',
        'https://cookies.shop.com',
        WWW,
        at('cookies.shop.com', ['2001:db8:1:3::1']),
      ),
      'subdomain',
      7,
      'capped',
      'ip_mismatch',
    ],
    [
      'subdomain that is a CNAME into another site',
      input(
        'https://www.shop.com/',
        'https://cookies.shop.com',
        WWW,
        at('cookies.shop.com', ['203.0.113.99'], ['shop.collector.example.net']),
      ),
      'subdomain',
      7,
      'capped',
      'cname_cloaking',
    ],
    [
      'subdomain CNAME within the site',
      input(
        'https://www.shop.com/',
        'https://cookies.shop.com',
        WWW,
        at('cookies.shop.com', ['203.0.113.99'], ['edge.shop.com']),
      ),
      'subdomain',
      400,
      'durable',
      'durable',
    ],
    [
      'subdomain CNAME to the CDN the page itself is served from',
      input(
        'https://www.shop.com/',
        'https://cookies.shop.com',
        at('www.shop.com', ['192.0.2.10'], ['shop.cdn.example']),
        at('cookies.shop.com', ['192.0.2.11'], ['cookies.cdn.example']),
      ),
      'subdomain',
      400,
      'durable',
      'durable',
    ],
    [
      'a server on another registrable domain',
      input(
        'https://www.shop.com/',
        'https://pantry.example.io',
        WWW,
        at('pantry.example.io', ['203.0.113.11']),
      ),
      'cross-site',
      null,
      'capped',
      'third_party',
    ],
    [
      'LOCAL_STORAGE, even same-site',
      input(
        'https://www.shop.com/',
        'https://cookies.shop.com',
        WWW,
        at('cookies.shop.com', ['203.0.113.11']),
        'LOCAL_STORAGE',
      ),
      'subdomain',
      7,
      'capped',
      'script_storage',
    ],
    [
      'LOCAL_DOMAIN_STORAGE with a cross-site server',
      input(
        'https://www.shop.com/',
        'https://pantry.example.io',
        WWW,
        at('pantry.example.io', ['203.0.113.11']),
        'LOCAL_DOMAIN_STORAGE',
      ),
      'cross-site',
      7,
      'capped',
      'script_storage',
    ],
    [
      'LOCAL_DOMAIN_STORAGE same-site: the server cookies count',
      input(
        'https://www.shop.com/',
        'https://cookies.shop.com',
        WWW,
        at('cookies.shop.com', ['203.0.113.11']),
        'LOCAL_DOMAIN_STORAGE',
      ),
      'subdomain',
      400,
      'durable',
      'durable',
    ],
    [
      'a name DNS does not know',
      input('https://www.shop.com/', 'https://cookies.shop.com', WWW, at('cookies.shop.com', [])),
      'subdomain',
      null,
      'unknown',
      'dns_failed',
    ],
    [
      'IP literals',
      input(
        'http://127.0.0.1:8080/',
        'http://127.0.0.1:3000',
        at('127.0.0.1', ['127.0.0.1']),
        at('127.0.0.1', ['127.0.0.1']),
      ),
      'subdomain',
      400,
      'durable',
      'durable',
    ],
  ])('%s', (_what, given, mode, lifetimeDays, verdict, code) => {
    const result = diagnoseDurability(given);
    expect(result).toMatchObject({ mode, lifetimeDays, verdict });
    expect(result.reasons.map((r) => r.code)).toEqual([code]);
    expect(result.reasons[0].message.length).toBeGreaterThan(20);
  });

  it('says what to change', () => {
    const result = diagnoseDurability(
      input(
        'https://www.shop.com/',
        'https://cookies.shop.com',
        WWW,
        at('cookies.shop.com', ['198.51.100.7']),
      ),
    );
    expect(result.reasons[0].message).toMatch(
      /Serve Pantry under the site's own origin at \/pantry, or give cookies\.shop\.com an address in the same \/16 as www\.shop\.com/,
    );
  });
});

describe(addressPrefix.name, () => {
  it.each<[string, 4 | 6, string | null]>([
    ['203.0.113.10', 4, '203.0'],
    ['203.0.113.10', 6, null],
    ['2001:db8::1', 6, '2001:db8:0:0'],
    ['2001:0db8:0000:0002::1', 6, '2001:db8:0:2'],
    ['::ffff:203.0.113.10', 6, '0:0:0:0'],
    ['not an ip', 4, null],
  ])('%s /%d → %s', (address, family, expected) => {
    expect(addressPrefix(address, family)).toBe(expected);
  });
});

describe(sharesAddressSpace.name, () => {
  it.each<[string[], string[], boolean]>([
    [['203.0.113.10'], ['203.0.1.1'], true],
    [['203.0.113.10'], ['203.1.113.10'], false],
    [['203.0.113.10', '2001:db8:1:2::1'], ['2001:db8:1:2::99'], true],
    [['2001:db8:1:2::1'], ['203.0.113.10'], false],
    [[], ['203.0.113.10'], false],
  ])('%j ~ %j → %s', (page, server, expected) => {
    expect(sharesAddressSpace(page, server)).toBe(expected);
  });
});
