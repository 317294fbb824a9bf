import { buildConfiguration, Configuration } from '../properties/configuration';
import { apiKeyConflicts, StoredTenants, TenantSnapshot } from './tenant-snapshot';

function files(...accounts: Array<[string, string]>): Configuration {
  const result = buildConfiguration(
    null,
    accounts.map(([id, keys]) => ({
      path: `config/accounts/${id}.properties`,
      text: `# ${id}\naccount.apiKeys = ${keys}`,
    })),
  );
  if (!result.ok) throw new Error('invalid test configuration');
  return result.configuration;
}

const stored = (...keys: Array<[string, string]>): StoredTenants => ({
  accounts: [...new Set(keys.map(([, id]) => id))].map((id) => ({ id, name: id })),
  keys: keys.map(([key, accountId]) => ({ key, accountId, createdAt: new Date(0) })),
  overrides: new Map(),
});

const SERVER = { multiAccount: true, clusterEnabled: false };

describe(apiKeyConflicts.name, () => {
  it.each<[string, Configuration, StoredTenants, string[]]>([
    ['nothing stored', files(['shop', 'shop-key-0001']), stored(), []],
    [
      'a file account listing an API account key',
      files(['shop', 'shop-key-0001, shared-key-01']),
      stored(['shared-key-01', 'api-shop']),
      [
        'config/accounts/shop.properties:2: account.apiKeys: API key "shared-key-01" is already used by account "api-shop" (created through the admin API); API keys must be unique across accounts: give this account its own key, or revoke it there first',
      ],
    ],
    [
      'a key the database gives to the same (file) account',
      files(['shop', 'shop-key-0001']),
      stored(['shop-key-0001', 'shop']),
      [],
    ],
    ['different keys', files(['shop', 'shop-key-0001']), stored(['other-key-001', 'api-shop']), []],
  ])('%s', (_what, configuration, tenants, expected) => {
    expect(
      apiKeyConflicts(configuration, tenants).map(
        (p) => `${p.file}:${p.line}: ${p.key}: ${p.message}`,
      ),
    ).toEqual(expected);
  });
});

describe(TenantSnapshot.name, () => {
  const keysOf = (snapshot: TenantSnapshot, id: string) =>
    snapshot.account(id)?.apiKeys.map((k) => k.key);

  it('a key an API account answered for stays with it when a file claims it too', () => {
    const warnings: string[] = [];
    const before = new TenantSnapshot(
      files(['shop', 'shop-key-0001']),
      stored(['shared-key-01', 'api-shop']),
      SERVER,
      (m) => warnings.push(m),
    );
    expect(before.accountForApiKey('shared-key-01')).toBe('api-shop');
    // A reload that slipped past the check (the key was stored on another node a moment ago).
    const after = before.withConfiguration(files(['shop', 'shop-key-0001, shared-key-01']));
    expect(after.accountForApiKey('shared-key-01')).toBe('api-shop');
    expect(keysOf(after, 'shop')).toEqual(['shop-key-0001']);
    expect(keysOf(after, 'api-shop')).toEqual(['shared-key-01']);
    expect(warnings).toEqual([
      'an API key of account shop is already used by account api-shop; it keeps answering for api-shop (API keys must be unique across accounts)',
    ]);
  });

  it('a key a file account answered for stays with it when the database gives it to another', () => {
    const before = new TenantSnapshot(files(['shop', 'shop-key-0001']), stored(), SERVER);
    const after = before.withStored(stored(['shop-key-0001', 'api-shop']));
    expect(after.accountForApiKey('shop-key-0001')).toBe('shop');
    expect(keysOf(after, 'api-shop')).toEqual([]);
  });
});
