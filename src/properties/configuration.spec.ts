import { OriginMatcher } from '../vocabulary/origin-matcher';
import {
  buildConfiguration,
  findContradictions,
  formatProblem,
  SourceFile,
  trailingCommentProblem,
} from './configuration';
import { DEFAULT_VALUES, findProperty, PROPERTY_CATALOG, PropertyValues } from './property-catalog';
import { parseCookieDomain } from './property-values';

const APP = 'config/application.properties';
const acct = (id: string, text: string): SourceFile => ({
  path: `config/accounts/${id}.properties`,
  text,
});

function problems(app: string | null, accounts: SourceFile[] = []): string[] {
  const result = buildConfiguration(app === null ? null : { path: APP, text: app }, accounts);
  return result.ok ? [] : result.problems.map(formatProblem);
}

describe(buildConfiguration.name, () => {
  describe('reports each invalid value as FILE:LINE: KEY: PROBLEM', () => {
    it.each<[string, string, string[], string[]]>([
      [
        'an enum value that is not allowed, with the allowed values and what was found',
        '',
        ['account.apiKeys=acme-key-001', '', '', '', '', '', 'identifier.cookieSameSite=Laxx'],
        [
          'config/accounts/acme.properties:7: identifier.cookieSameSite: must be one of Lax, Strict, None, AUTO (got "Laxx")',
        ],
      ],
      [
        'a corsCookieMode that is not one of the three',
        '',
        ['server.cors.corsCookieMode: COOKIES'],
        [
          'config/accounts/acme.properties:1: server.cors.corsCookieMode: must be one of PRODUCT_DOMAIN, LOCAL_STORAGE, LOCAL_DOMAIN_STORAGE (got "COOKIES")',
        ],
      ],
      [
        'a number that is not a number',
        '',
        ['identifier.deviceCookieMaxAge = one year'],
        [
          'config/accounts/acme.properties:1: identifier.deviceCookieMaxAge: must be a whole number (got "one year")',
        ],
      ],
      [
        'a number out of range',
        '',
        ['consent.cookieMaxAge = -1', 'authentication.cookieMaxAgeSeconds=99999999999'],
        [
          'config/accounts/acme.properties:1: consent.cookieMaxAge: must be between 0 and 2147483647 (got "-1")',
          'config/accounts/acme.properties:2: authentication.cookieMaxAgeSeconds: must be between 0 and 2147483647 (got "99999999999")',
        ],
      ],
      [
        'a boolean that is not true or false',
        '',
        ['consent.required=yes'],
        ['config/accounts/acme.properties:1: consent.required: must be true or false (got "yes")'],
      ],
      [
        'an unknown key, with a did-you-mean',
        '',
        ['identifier.cookieDomian=AUTO'],
        [
          'config/accounts/acme.properties:1: identifier.cookieDomian: unknown property (did you mean "identifier.cookieDomain"?)',
        ],
      ],
      [
        'an unknown key far from any other',
        '',
        ['totally.unrelated.setting=1'],
        ['config/accounts/acme.properties:1: totally.unrelated.setting: unknown property'],
      ],
      [
        'an IMMUTABLE key in an account file',
        '',
        ['server.multiAccount=false'],
        [
          'config/accounts/acme.properties:1: server.multiAccount: IMMUTABLE property: set it in application.properties, not in an account file',
        ],
      ],
      [
        'a GLOBAL key in an account file',
        '',
        ['identifier.accountScopedCookies=session'],
        [
          'config/accounts/acme.properties:1: identifier.accountScopedCookies: GLOBAL property: set it in application.properties, not in an account file',
        ],
      ],
      [
        'SameSite=None without Secure',
        '',
        ['identifier.cookieSecureFlag=false', 'identifier.cookieSameSite=None'],
        [
          'config/accounts/acme.properties:2: identifier.cookieSameSite: SameSite=None requires identifier.cookieSecureFlag=true (browsers reject it otherwise)',
        ],
      ],
      [
        'Partitioned without Secure, Secure inherited from application.properties',
        'identifier.cookieSecureFlag=false',
        ['identifier.cookiePartitioned=true'],
        [
          'config/accounts/acme.properties:1: identifier.cookiePartitioned: Partitioned requires identifier.cookieSecureFlag=true (browsers reject it otherwise)',
        ],
      ],
      [
        'a cookie domain that is a public suffix (ICANN section)',
        '',
        ['identifier.cookieDomain=.co.uk'],
        [
          'config/accounts/acme.properties:1: identifier.cookieDomain: ".co.uk" is a public suffix (Public Suffix List): browsers refuse cookies for it; use a registrable domain such as .example.co.uk',
        ],
      ],
      [
        'a cookie domain that is a public suffix (private section)',
        '',
        ['identifier.visitorClientCookieDomain=github.io'],
        [
          'config/accounts/acme.properties:1: identifier.visitorClientCookieDomain: "github.io" is a public suffix (Public Suffix List): browsers refuse cookies for it; use a registrable domain such as .example.github.io',
        ],
      ],
      [
        'a cookie domain that is not a domain',
        '',
        ['identifier.cookieDomain=https://example.com/'],
        [
          'config/accounts/acme.properties:1: identifier.cookieDomain: must be empty, AUTO or a domain name such as .example.com (got "https://example.com/")',
        ],
      ],
      [
        'an origin that is not an origin',
        '',
        ['server.cors.allowedOrigins=https://shop.example.com, shop.example.com/path'],
        [
          'config/accounts/acme.properties:1: server.cors.allowedOrigins: must be an origin such as https://shop.example.com or https://*.example.com (got "shop.example.com/path")',
        ],
      ],
      [
        'an origin with a path, naming the origin and what to write',
        '',
        ['server.cors.allowedOrigins=https://www.shop.com/checkout'],
        [
          'config/accounts/acme.properties:1: server.cors.allowedOrigins: "https://www.shop.com/checkout" is not an origin: it has a path, which a browser\'s Origin never carries, so it would never match; write only scheme://host[:port], e.g. "https://www.shop.com"',
        ],
      ],
      [
        'an origin with a query, a fragment or user info (its password never echoed)',
        '',
        [
          'server.cors.allowedOrigins=https://www.shop.com?x=1',
          'bridge.targets=https://www.shop.com/#top',
          'proxy.hosts=shop.test',
          'proxy.upstream=http://origin.test',
          'identifier.cookiePath=/',
        ],
        [
          'config/accounts/acme.properties:1: server.cors.allowedOrigins: "https://www.shop.com?x=1" is not an origin: it has a query (?…), which a browser\'s Origin never carries, so it would never match; write only scheme://host[:port], e.g. "https://www.shop.com"',
          'config/accounts/acme.properties:2: bridge.targets: "https://www.shop.com/#top" is not an origin: it has a fragment (#…), which a browser\'s Origin never carries, so it would never match; write only scheme://host[:port], e.g. "https://www.shop.com"',
        ],
      ],
      [
        'an origin with user info',
        '',
        ['server.cors.allowedOrigins=https://me:hunter2@www.shop.com'],
        [
          'config/accounts/acme.properties:1: server.cors.allowedOrigins: "https://me:***@www.shop.com" is not an origin: it has user info (user@), which a browser\'s Origin never carries, so it would never match; write only scheme://host[:port], e.g. "https://www.shop.com"',
        ],
      ],
      [
        'an invalid API key',
        '',
        ['account.apiKeys=short'],
        [
          'config/accounts/acme.properties:1: account.apiKeys: API keys must be 8 to 64 characters of A-Z a-z 0-9 _ - (got "short")',
        ],
      ],
      [
        'a key set twice, even through the com.unblu. alias and another case',
        '',
        ['identifier.cookiePath=/', 'COM.UNBLU.IDENTIFIER.COOKIEPATH=/x'],
        [
          'config/accounts/acme.properties:2: identifier.cookiePath: set twice (also on line 1); remove one',
        ],
      ],
    ])('%s', (_what, app, accountLines, expected) => {
      // Every account file needs a key; one is added after the lines under test where missing.
      const lines = accountLines.some((l) => /apikeys/i.test(l))
        ? accountLines
        : [...accountLines, 'account.apiKeys = acme-key-001'];
      expect(problems(app, [acct('acme', lines.join('\n'))])).toEqual(expected);
    });
  });

  it.each<[string, string, string[]]>([
    [
      'account.name in application.properties',
      'account.name=Shop',
      [
        'config/application.properties:1: account.name: may only be set in an account file (config/accounts/<id>.properties)',
      ],
    ],
    [
      'a contradiction in application.properties, reported there once',
      'identifier.cookieSecureFlag=false\nidentifier.cookieSameSite=none',
      [
        'config/application.properties:2: identifier.cookieSameSite: SameSite=None requires identifier.cookieSecureFlag=true (browsers reject it otherwise)',
      ],
    ],
    [
      'a database URL Pantry cannot use, without echoing the password',
      'database.url=mysql://user:secretpw@db/pantry',
      [
        'config/application.properties:1: database.url: must be sqlite:PATH, sqlite::memory: or postgres://user:password@host:port/database (got "mysql://user:***@db/pantry")',
      ],
    ],
    [
      'a PostgreSQL URL without a database, without echoing the password',
      'database.url=postgres://user:secretpw@db:5432/',
      [
        'config/application.properties:1: database.url: must name a host and a database: postgres://user:password@host:port/database (got "postgres://user:***@db:5432/")',
      ],
    ],
    [
      'a signing secret that is too short, without echoing it',
      'identifier.signingSecrets=tooShortSecretValue',
      [
        'config/application.properties:1: identifier.signingSecrets: secret #1 is too short: at least 32 characters are needed (got 19)',
      ],
    ],
    [
      'an encryption key that is not 32 bytes, without echoing it',
      'server.aes.encryptionKey=bm90MzJieXRlcw==',
      [
        'config/application.properties:1: server.aes.encryptionKey: must be the base64 encoding of 32 random bytes (got 16 characters that are not)',
      ],
    ],
    [
      'a trailing # comment after a number (the README block that could not be pasted)',
      'server.maxConnectionsPerAddress = 0     # every connection comes from the proxy',
      [
        'config/application.properties:1: server.maxConnectionsPerAddress: "# every connection come…" is not a comment: .properties values run to the end of the line, so the value read is "0     # every connection comes from the proxy"; put the comment on its own line and write "0" alone after the =',
      ],
    ],
    [
      'a trailing ! comment after a boolean',
      'server.trustProxy = true ! nginx in front',
      [
        'config/application.properties:1: server.trustProxy: "! nginx in front" is not a comment: .properties values run to the end of the line, so the value read is "true ! nginx in front"; put the comment on its own line and write "true" alone after the =',
      ],
    ],
    [
      'a comment where an empty value was meant',
      'identifier.clusterUniverseCookieDomain =   # none',
      [
        'config/application.properties:1: identifier.clusterUniverseCookieDomain: "# none" is not a comment: .properties values run to the end of the line, so the value read is "# none"; put the comment on its own line and leave the value empty',
      ],
    ],
    [
      'a trailing comment after a secret, without echoing the secret',
      'admin.token = 0123456789abcdefghij  # rotate yearly',
      [
        'config/application.properties:1: admin.token: "# rotate yearly" is not a comment: .properties values run to the end of the line, so it would be part of the value; put the comment on its own line',
      ],
    ],
    [
      'a drain that leaves too little of the grace, at the drain’s line',
      'server.shutdownTimeoutSeconds = 10\nserver.drainSeconds = 9',
      [
        'config/application.properties:2: server.drainSeconds: a drain of 9 s leaves 1 s of server.shutdownTimeoutSeconds (10 s) for the requests in flight and the last flush, which need at least 2 s: set at most 8, or raise server.shutdownTimeoutSeconds to at least 11',
      ],
    ],
    [
      'a drain set to fit a grace that is shorter than the default',
      'server.drainSeconds = 3\nserver.shutdownTimeoutSeconds = 4',
      [
        'config/application.properties:1: server.drainSeconds: a drain of 3 s leaves 1 s of server.shutdownTimeoutSeconds (4 s) for the requests in flight and the last flush, which need at least 2 s: set at most 2, or raise server.shutdownTimeoutSeconds to at least 5',
      ],
    ],
    [
      'a short grace with the default drain (shortened at start, not a problem)',
      'server.shutdownTimeoutSeconds = 2',
      [],
    ],
    ['no drain in a 1 s grace', 'server.shutdownTimeoutSeconds = 1\nserver.drainSeconds = 0', []],
    [
      'a malformed unicode escape',
      'a=1\nidentifier.cookiePath=/\\u12zz',
      ["config/application.properties:2: (syntax): malformed escaped unicode characters '\\u12zz'"],
    ],
  ])('application.properties: %s', (_what, app, expected) => {
    expect(problems(app)).toEqual(expected);
  });

  it('reports every problem of every file, not just the first', () => {
    expect(
      problems('server.multiAccount=maybe\nunknown.key=1', [
        acct('one', 'consent.required=perhaps'),
        acct('two', 'identifier.cookieSameSite=Lacks'),
      ]),
    ).toHaveLength(6); // 2 in application.properties, 2 values, 2 files without an API key
  });

  it.each([
    ['empty', ''],
    ['only comments', '# retired\n! keys moved'],
    ['an empty key list', 'account.name = Shop\naccount.apiKeys ='],
  ])('refuses an account file without an API key: %s', (_what, text) => {
    expect(problems('', [acct('shop', text)])).toEqual([
      expect.stringMatching(
        /^config\/accounts\/shop\.properties:\d+: account\.apiKeys: an account file must define at least one API key/,
      ),
    ]);
  });

  it('refuses an account file whose name is not a valid account id', () => {
    expect(problems('', [acct('Acme_Shop', 'account.apiKeys = acme-key-001')])).toEqual([
      'config/accounts/Acme_Shop.properties:1: (account id): "Acme_Shop" is not a valid account id: the file name must match [a-z0-9][a-z0-9-]{0,62}.properties',
    ]);
  });

  it('refuses an API key used by two accounts, naming both files', () => {
    expect(
      problems('', [
        acct('alpha', '# first\naccount.apiKeys=shared-key-1'),
        acct('beta', 'account.apiKeys = other-key-1, shared-key-1'),
      ]),
    ).toEqual([
      'config/accounts/beta.properties:1: account.apiKeys: API key "shared-key-1" is already used by config/accounts/alpha.properties:2; API keys must be unique across accounts',
    ]);
  });

  describe('document mode (proxy.hosts, proxy.upstream)', () => {
    const site = (id: string, lines: string[]) =>
      acct(id, [`account.apiKeys = ${id}-key-0001`, ...lines].join('\n'));

    it('accepts hosts with an upstream, normalised', () => {
      const result = buildConfiguration(null, [
        site('shop', [
          'proxy.hosts = WWW.Shop.com., shop.com',
          'proxy.upstream = HTTP://10.0.0.5:8080/',
        ]),
      ]);
      expect(
        result.ok && result.configuration.accounts.get('shop')!.properties.values,
      ).toMatchObject({
        'proxy.hosts': ['www.shop.com', 'shop.com'],
        'proxy.upstream': 'http://10.0.0.5:8080',
      });
    });

    it('takes hosts without an upstream: an edge-only site (SPEC §16)', () => {
      const result = buildConfiguration(null, [site('shop', ['proxy.hosts = www.shop.com'])]);
      expect(
        result.ok && result.configuration.accounts.get('shop')!.properties.values,
      ).toMatchObject({ 'proxy.hosts': ['www.shop.com'], 'proxy.upstream': null });
      // Still one account per host.
      const two = [
        site('alpha', ['proxy.hosts = www.shop.com']),
        site('beta', ['proxy.hosts = www.shop.com', 'proxy.upstream = http://origin']),
      ];
      expect(problems('', two).join('\n')).toMatch(
        /beta\.properties:2: proxy\.hosts: "www\.shop\.com" is already served/,
      );
    });

    it('refuses an upstream that is Pantry’s own listening address', () => {
      const files = (upstream: string) => [
        site('shop', ['proxy.hosts = www.shop.com', `proxy.upstream = ${upstream}`]),
      ];
      const listen = { host: '0.0.0.0', port: 3000 };
      for (const own of ['http://localhost:3000', 'http://127.0.0.1:3000', 'http://[::1]:3000']) {
        const result = buildConfiguration(null, files(own), listen);
        expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([
          expect.stringMatching(/shop\.properties:3: proxy\.upstream: .* is Pantry's own address/),
        ]);
      }
      expect(buildConfiguration(null, files('http://127.0.0.1:3001'), listen).ok).toBe(true);
      expect(buildConfiguration(null, files('http://origin.internal:3000'), listen).ok).toBe(true);
    });

    it.each<[string, SourceFile[], RegExp]>([
      [
        'an upstream with a path',
        [site('shop', ['proxy.hosts = www.shop.com', 'proxy.upstream = http://origin/app'])],
        /shop\.properties:3: proxy\.upstream: must be the site's origin server/,
      ],
      [
        'an upstream with credentials',
        [site('shop', ['proxy.hosts = www.shop.com', 'proxy.upstream = http://u:p@origin'])],
        /proxy\.upstream: must be/,
      ],
      [
        'a host with a scheme or port',
        [site('shop', ['proxy.hosts = https://www.shop.com', 'proxy.upstream = http://origin'])],
        /proxy\.hosts: must be a comma list of host names/,
      ],
      [
        'one host for two accounts, naming both files',
        [
          site('alpha', ['proxy.hosts = www.shop.com', 'proxy.upstream = http://origin-a']),
          site('beta', [
            'proxy.hosts = shop.com, WWW.SHOP.COM',
            'proxy.upstream = http://origin-b',
          ]),
        ],
        /beta\.properties:2: proxy\.hosts: "www\.shop\.com" is already served for config\/accounts\/alpha\.properties:2/,
      ],
      [
        'an upstream that is a proxied host (a loop)',
        [site('alpha', ['proxy.hosts = www.shop.com', 'proxy.upstream = http://www.shop.com'])],
        /alpha\.properties:3: proxy\.upstream: "http:\/\/www\.shop\.com" is served by Pantry itself/,
      ],
      [
        'in application.properties',
        [],
        /application\.properties:1: proxy\.hosts: may only be set in an account file/,
      ],
    ])('refuses %s', (what, accounts, message) => {
      const app = what === 'in application.properties' ? 'proxy.hosts = www.shop.com' : '';
      expect(problems(app, accounts).join('\n')).toMatch(message);
    });
  });

  it('refuses an API key listed twice in one file', () => {
    expect(problems('', [acct('alpha', 'account.apiKeys=key-one-1,key-one-1')])).toEqual([
      'config/accounts/alpha.properties:1: account.apiKeys: lists API key "key-one-1" twice',
    ]);
  });

  describe('layering and syntax', () => {
    const result = buildConfiguration(
      {
        path: APP,
        text: [
          '! Unblu-style comment',
          'com.unblu.identifier.cookieDomain = AUTO',
          'IDENTIFIER.COOKIESAMESITE : lax',
          'consent.required false',
        ].join('\n'),
      },
      [
        acct(
          'shop',
          [
            'account.name = The \\',
            '   Shop \\u00e9',
            'account.apiKeys = shop-key-001 , shop-key-002',
            'identifier.cookieSameSite = Strict',
          ].join('\n'),
        ),
        acct('plain', 'account.apiKeys = plain-key-001'),
      ],
    );
    if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
    const { app, accounts } = result.configuration;

    it('accepts the com.unblu. alias, any case, all separators, and normalises enum spelling', () => {
      expect(app.values['identifier.cookieDomain']).toEqual({ mode: 'auto' });
      expect(app.values['identifier.cookieSameSite']).toBe('Lax');
      expect(app.values['consent.required']).toBe(false);
      expect(app.origins['identifier.cookieSameSite']).toEqual({
        source: 'global',
        raw: 'lax',
        file: APP,
        line: 3,
      });
    });

    it('layers default < application.properties < account file', () => {
      const shop = accounts.get('shop')!;
      expect(shop.name).toBe('The Shop é');
      expect(shop.apiKeys).toEqual(['shop-key-001', 'shop-key-002']);
      expect(shop.properties.values['identifier.cookieSameSite']).toBe('Strict');
      expect(shop.properties.origins['identifier.cookieSameSite'].source).toBe('file');
      expect(shop.properties.values['consent.required']).toBe(false);
      expect(shop.properties.origins['consent.required'].source).toBe('global');
      expect(shop.properties.values['identifier.cookiePath']).toBe('/');
      expect(shop.properties.origins['identifier.cookiePath'].source).toBe('default');
    });

    it('names an account without account.name by its id', () => {
      expect(accounts.get('plain')!.name).toBe('plain');
    });
  });

  it('normalises an origin written with a trailing slash, so it matches the Origin header', () => {
    const result = buildConfiguration(null, [
      acct(
        'shop',
        'account.apiKeys = shop-key-001\nserver.cors.allowedOrigins = https://www.shop.com/\nbridge.targets = https://www.shop.com/',
      ),
    ]);
    if (!result.ok) throw new Error(result.problems.map(formatProblem).join('\n'));
    const values = result.configuration.accounts.get('shop')!.properties.values;
    expect(values['server.cors.allowedOrigins']).toEqual(['https://www.shop.com']);
    expect(
      new OriginMatcher(values['server.cors.allowedOrigins']).allows('https://www.shop.com'),
    ).toBe(true);
    expect(values['bridge.targets']).toEqual(['https://www.shop.com']);
  });

  describe('a value followed by whitespace and # or !', () => {
    // Free text and secrets keep it, as Java reads them; every other key's syntax has no room for
    // one, so it can only be a comment the operator meant.
    const KEEP = ['account.name', 'identifier.signingSecrets', 'authentication.assertionSecret'];

    it.each(PROPERTY_CATALOG.map((e) => [e.key, KEEP.includes(e.key)] as const))(
      '%s keeps it: %s',
      (key, keeps) => {
        const entry = findProperty(key)!;
        expect(trailingCommentProblem(entry, 'x # note') === null).toBe(keeps);
        expect(trailingCommentProblem(entry, 'x ! note') === null).toBe(keeps);
        expect(trailingCommentProblem(entry, 'x#not-a-comment')).toBeNull();
      },
    );

    it('keeps " #" inside a display name', () => {
      const result = buildConfiguration(null, [
        acct('shop', 'account.apiKeys = shop-key-001\naccount.name = Shop #1 ! best'),
      ]);
      expect(result.ok && result.configuration.accounts.get('shop')!.name).toBe('Shop #1 ! best');
    });
  });

  it('accepts no application.properties and no accounts', () => {
    expect(buildConfiguration(null, []).ok).toBe(true);
  });
});

describe(findContradictions.name, () => {
  const values = (over: Partial<Record<keyof PropertyValues, unknown>>) =>
    ({ ...DEFAULT_VALUES, ...over }) as PropertyValues;
  const messages = (over: Partial<Record<keyof PropertyValues, unknown>>) =>
    findContradictions(values(over)).map((c) => c.message);

  it.each<[string, Partial<Record<keyof PropertyValues, unknown>>, RegExp[]]>([
    ['the defaults', {}, []],
    [
      'a kept cookie named as one of Pantry’s own',
      {
        'keeper.cookies': [
          { adapter: 'ga' },
          { adapter: 'cookie', name: 'x-unblu-lang' },
          { adapter: 'cookie', name: 'x-unblu-shopkey01-device' },
        ],
      },
      [
        /keeper.cookies cookie:x-unblu-lang names Pantry's own lang cookie \(x-unblu-lang\)/,
        /keeper.cookies cookie:x-unblu-shopkey01-device names Pantry's own device cookie \(x-unblu-<apiKey>-device\)/,
      ],
    ],
    [
      'kept SDK cookies beside Pantry’s',
      {
        'keeper.cookies': [
          { adapter: 'ga' },
          { adapter: 'posthog' },
          { adapter: 'cookie', name: 'my_id' },
        ],
      },
      [],
    ],
    [
      'two account-scoped cookies under one name',
      { 'identifier.sessionCookieName': 'device' },
      [/device and session cookies would all be named "x-unblu-<apiKey>-device"/],
    ],
    [
      'scoped and unscoped cookies may share the part after the prefix',
      { 'identifier.langCookieName': 'consent' },
      [],
    ],
    [
      'single-account mode: the API key no longer tells them apart',
      { 'identifier.langCookieName': 'consent', 'server.multiAccount': false },
      [/consent and lang cookies would all be named "x-unblu-consent"/],
    ],
    [
      'an override equal to another catalog name',
      { 'identifier.deviceCookieName': 'anonymous-person' },
      [/device and anonymous-person cookies/],
    ],
    [
      '__Host- with the defaults (Secure, Path=/, no Domain)',
      { 'identifier.cookieNamePrefix': '__Host-' },
      [],
    ],
    [
      '__Host- with a Domain',
      {
        'identifier.cookieNamePrefix': '__Host-',
        'identifier.cookieDomain': parseCookieDomain('AUTO'),
      },
      [/must not carry a Domain: leave identifier.cookieDomain empty/],
    ],
    [
      '__Host- in cluster mode: the universe domain counts',
      {
        'identifier.cookieNamePrefix': '__Host-',
        'identifier.clusterEnabled': true,
        'identifier.clusterUniverseCookieDomain': parseCookieDomain('.shop.com'),
      },
      [/leave identifier.clusterUniverseCookieDomain empty/],
    ],
    [
      '__Host- (any case) with another path',
      { 'identifier.cookieNamePrefix': '__HOST-', 'identifier.cookiePath': '/x' },
      [/require identifier.cookiePath=\//],
    ],
    [
      '__Host- without Secure',
      { 'identifier.cookieNamePrefix': '__Host-', 'identifier.cookieSecureFlag': false },
      [/__Host-.*require identifier.cookieSecureFlag=true/],
    ],
    [
      'one override starting with __Host- under an empty prefix',
      {
        'identifier.cookieNamePrefix': '',
        'identifier.langCookieName': '__Host-lang',
        'identifier.cookiePath': '/x',
      },
      [/\(__Host-lang\) require identifier.cookiePath/],
    ],
    [
      '__Secure- without Secure',
      { 'identifier.cookieNamePrefix': '__Secure-', 'identifier.cookieSecureFlag': false },
      [/__Secure-.*require identifier.cookieSecureFlag=true/],
    ],
    [
      'a bridge target that is not an allowed origin',
      { 'bridge.targets': ['https://www.checkout.net'] },
      [/bridge target "https:\/\/www.checkout.net" is neither an allowed origin/],
    ],
    [
      'bridge targets covered by allowed origins (exactly or by a wildcard) or proxy.hosts',
      {
        'bridge.targets': [
          'https://www.checkout.net',
          'https://pay.shop.com',
          'https://www.site.com',
        ],
        'server.cors.allowedOrigins': ['https://www.checkout.net', 'https://*.shop.com'],
        'proxy.hosts': ['www.site.com'],
      },
      [],
    ],
    [
      'SameSite=None without Secure',
      { 'identifier.cookieSameSite': 'None', 'identifier.cookieSecureFlag': false },
      [/SameSite=None requires/],
    ],
  ])('%s', (_what, over, expected) => {
    const found = messages(over);
    expect(found).toHaveLength(expected.length);
    expected.forEach((pattern, i) => expect(found[i]).toMatch(pattern));
  });
});

describe('bridge targets of partner accounts (bridge.partners)', () => {
  const CHECKOUT = 'https://www.checkout.net';
  const site = (id: string, lines: string[]) =>
    acct(id, [`account.apiKeys = ${id}-key-0001`, ...lines].join('\n'));
  const shop = (partners: string, target = CHECKOUT) =>
    site('shop', [
      'server.cors.allowedOrigins = https://www.shop.com',
      `bridge.targets = ${target}`,
      `bridge.partners = ${partners}`,
    ]);
  const checkout = site('checkout', [
    `server.cors.allowedOrigins = ${CHECKOUT}`,
    'proxy.hosts = pay.checkout.net',
    'proxy.upstream = http://10.0.0.7',
    'bridge.partners = shop',
  ]);
  const notServed = (target: string, line: number) =>
    `config/accounts/shop.properties:${line}: bridge.targets: bridge target ${JSON.stringify(target)} is neither an allowed origin (server.cors.allowedOrigins) nor one of the proxy.hosts of this account or of its bridge.partners: the token could not be redeemed there`;

  it.each<[string, SourceFile[], string[]]>([
    ['a target a partner file account allows', [shop('checkout'), checkout], []],
    [
      'a target on a partner’s proxy.hosts',
      [shop('checkout', 'https://pay.checkout.net'), checkout],
      [],
    ],
    [
      'a target no file partner serves',
      [shop('checkout', 'https://www.elsewhere.net'), checkout],
      [notServed('https://www.elsewhere.net', 3)],
    ],
    // Partnerships are set one account after the other: one-sided redeems nothing, no problem.
    [
      'a partner file that does not list this account back',
      [shop('listed'), site('listed', [`server.cors.allowedOrigins = ${CHECKOUT}`])],
      [],
    ],
    // It may be an account created through the admin API: the files alone cannot tell.
    ['a partner that is not a file account', [shop('brand-api')], []],
    [
      'a target without partners',
      [shop('')],
      [notServed(CHECKOUT, 3).replace(' or of its bridge.partners', '')],
    ],
  ])('%s', (_what, files, expected) => {
    expect(problems('', files)).toEqual(expected);
  });

  it('refuses account ids that are not account ids', () => {
    expect(problems('', [shop('Checkout, shop.com')])).toEqual([
      notServed(CHECKOUT, 3).replace(' or of its bridge.partners', ''),
      'config/accounts/shop.properties:4: bridge.partners: must be a comma list of account ids, [a-z0-9][a-z0-9-]{0,62} (got "shop.com")',
    ]);
  });

  describe('with a view of every account (the admin API)', () => {
    const values = (over: Partial<Record<keyof PropertyValues, unknown>>) =>
      ({ ...DEFAULT_VALUES, ...over }) as PropertyValues;
    const accounts: Record<string, PropertyValues> = {
      checkout: values({ 'server.cors.allowedOrigins': [CHECKOUT] }),
    };
    const view = { values: (id: string) => accounts[id], complete: true };
    const messages = (partners: string[], targets: string[]) =>
      findContradictions(
        values({ 'bridge.partners': partners, 'bridge.targets': targets }),
        view,
      ).map((c) => c.message);

    it.each<[string, string[], string[], RegExp[]]>([
      ['a partner’s allowed origin', ['checkout'], [CHECKOUT], []],
      ['an unknown partner', ['nobody'], [], [/names no account: "nobody"/]],
      [
        'an origin nobody serves',
        ['checkout'],
        ['https://www.elsewhere.net'],
        [/"https:\/\/www.elsewhere.net" is neither an allowed origin/],
      ],
    ])('%s', (_what, partners, targets, expected) => {
      const found = messages(partners, targets);
      expect(found).toHaveLength(expected.length);
      expected.forEach((pattern, i) => expect(found[i]).toMatch(pattern));
    });
  });
});
