import fc from 'fast-check';
import { normalizeOrigin, OriginMatcher, originHost } from './origin-matcher';

describe(OriginMatcher.name, () => {
  const matcher = new OriginMatcher([
    'https://shop.example.com',
    'http://localhost:3000',
    'https://*.example.org',
    'https://*.example.net:8443',
  ]);

  it.each<[string, boolean]>([
    ['https://shop.example.com', true],
    ['http://shop.example.com', false],
    ['https://shop.example.com:8443', false],
    ['https://evil.shop.example.com', false],
    ['https://shop.example.com.evil.com', false],
    ['http://localhost:3000', true],
    ['http://localhost:3001', false],
    ['https://www.example.org', true],
    ['https://a.b.example.org', true],
    ['https://example.org', false],
    ['https://evilexample.org', false],
    ['http://www.example.org', false],
    ['https://www.example.org:444', false],
    ['https://www.example.net:8443', true],
    ['https://www.example.net', false],
  ])('%s → %s', (origin, expected) => {
    expect(matcher.allows(normalizeOrigin(origin)!)).toBe(expected);
  });

  it('allows nothing when empty', () => {
    expect(new OriginMatcher([]).allows('https://shop.example.com')).toBe(false);
  });
});

describe(normalizeOrigin.name, () => {
  it.each<[string | undefined, string | null]>([
    ['https://Shop.Example.com', 'https://shop.example.com'],
    ['https://shop.example.com:443', 'https://shop.example.com'],
    ['http://localhost:80', 'http://localhost'],
    ['http://127.0.0.1:3000', 'http://127.0.0.1:3000'],
    ['http://[::1]:3000', 'http://[::1]:3000'],
    ['null', null],
    [undefined, null],
    ['', null],
    ['https://shop.example.com/', null],
    ['https://shop.example.com/path', null],
    ['file://', null],
    ['https://user@shop.example.com', null],
    ['https://shop.example.com:0', null],
    ['javascript:alert(1)', null],
  ])('%j → %j', (raw, expected) => expect(normalizeOrigin(raw)).toBe(expected));

  it('never throws', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (s) => void normalizeOrigin(s)));
  });

  it('gives the host of an origin', () => {
    expect(originHost('https://shop.example.com:8443')).toBe('shop.example.com');
    expect(originHost('http://[::1]:3000')).toBe('::1');
    expect(originHost('http://localhost')).toBe('localhost');
  });
});
