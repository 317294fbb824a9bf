import {
  DatabaseUrl,
  parseDatabaseUrl,
  parseCookieDomain,
  parseOrigin,
  InvalidPropertyValue,
  parseApiKeyList,
} from './property-values';

describe(parseCookieDomain.name, () => {
  it.each([
    ['', { mode: 'none' }],
    ['AUTO', { mode: 'auto' }],
    ['automatic', { mode: 'auto' }],
    ['Auto', { mode: 'auto' }],
    ['.example.com', { mode: 'fixed', domain: 'example.com' }],
    ['Shop.Example.CO.UK', { mode: 'fixed', domain: 'shop.example.co.uk' }],
    ['alice.github.io', { mode: 'fixed', domain: 'alice.github.io' }],
    ['xn--bcher-kva.example', { mode: 'fixed', domain: 'xn--bcher-kva.example' }],
  ])('accepts %j', (raw, expected) => {
    expect(parseCookieDomain(raw)).toEqual(expected);
  });

  it.each([
    ['.com', /public suffix/],
    ['co.uk', /public suffix/],
    ['.github.io', /public suffix/],
    ['localhost', /public suffix/],
    ['127.0.0.1', /not an IP address/],
    ['exa mple.com', /domain name/],
    ['-bad.example.com', /domain name/],
    ['example..com', /domain name/],
    ['*.example.com', /domain name/],
  ])('refuses %j', (raw, message) => {
    expect(() => parseCookieDomain(raw)).toThrow(InvalidPropertyValue);
    expect(() => parseCookieDomain(raw)).toThrow(message);
  });
});

describe(parseOrigin.name, () => {
  it.each([
    ['https://shop.example.com', 'https://shop.example.com'],
    ['HTTPS://Shop.Example.com/', 'https://shop.example.com'],
    ['https://shop.example.com:443', 'https://shop.example.com'],
    ['http://localhost:3000', 'http://localhost:3000'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['https://*.example.com', 'https://*.example.com'],
    ['https://*.shop.co.uk', 'https://*.shop.co.uk'],
    ['https://*.alice.github.io:8443', 'https://*.alice.github.io:8443'],
  ])('normalises %j', (raw, expected) => {
    expect(parseOrigin(raw)).toBe(expected);
  });

  it.each([
    'shop.example.com',
    'https://shop.example.com/path',
    'ftp://shop.example.com',
    'https://*',
    'https://ex*ample.com',
    'https://shop.example.com:99999',
    'https://user@shop.example.com',
    '*',
    'null',
  ])('refuses %j', (raw) => {
    expect(() => parseOrigin(raw)).toThrow(InvalidPropertyValue);
  });

  it.each([
    ['https://*.com', /"com" is a public suffix/],
    ['https://*.co.uk', /"co.uk" is a public suffix/],
    ['http://*.co.uk:8080', /public suffix/],
    ['https://*.github.io', /"github.io" is a public suffix/],
    ['https://*.test', /public suffix/],
    ['https://*.localhost', /public suffix/],
    ['https://*.127.0.0.1', /an IP address/],
  ])('refuses the wildcard %j over a public suffix or an address', (raw, message) => {
    expect(() => parseOrigin(raw)).toThrow(message);
  });
});

describe(parseApiKeyList.name, () => {
  it.each([
    ['', []],
    ['abcdefgh', ['abcdefgh']],
    [' MZsy5sFESYqU7MawXZgR_w , other-key-1 ,', ['MZsy5sFESYqU7MawXZgR_w', 'other-key-1']],
  ])('accepts %j', (raw, expected) => expect(parseApiKeyList(raw)).toEqual(expected));

  it.each(['short', 'has space key', 'x'.repeat(65), 'bad/char/key', 'dup-key-1,dup-key-1'])(
    'refuses %j',
    (raw) => expect(() => parseApiKeyList(raw)).toThrow(InvalidPropertyValue),
  );
});

describe(parseDatabaseUrl.name, () => {
  it.each<[string, DatabaseUrl]>([
    ['sqlite:data/pantry.sqlite', { type: 'sqlite', database: 'data/pantry.sqlite' }],
    ['sqlite::memory:', { type: 'sqlite', database: ':memory:' }],
    [
      'postgres://pantry:s3cret@db.internal:5432/pantry',
      {
        type: 'postgres',
        url: 'postgres://pantry:s3cret@db.internal:5432/pantry',
        display: 'pantry@db.internal:5432/pantry',
      },
    ],
    [
      'postgresql://pantry@db/pantry?sslmode=require',
      {
        type: 'postgres',
        url: 'postgresql://pantry@db/pantry?sslmode=require',
        display: 'pantry@db/pantry',
      },
    ],
  ])('%s', (raw, expected) => expect(parseDatabaseUrl(raw)).toEqual(expected));

  it.each([
    'postgres://u:s3cret@/pantry',
    'postgres://u:s3cret@db',
    'postgres://u:s3cret@db/a/b',
    'mysql://u:s3cret@db/x',
    'data.sqlite',
  ])('refuses %s without echoing the password', (raw) => {
    expect(() => parseDatabaseUrl(raw)).toThrow(InvalidPropertyValue);
    try {
      parseDatabaseUrl(raw);
    } catch (e) {
      expect((e as Error).message).not.toContain('s3cret');
    }
  });
});
