import { buildConfiguration, Configuration, formatProblem } from '../properties/configuration';
import { keyCollisions } from './check.command';

function configuration(accounts: Record<string, string>): Configuration {
  const built = buildConfiguration(
    null,
    Object.entries(accounts).map(([id, text]) => ({ path: `accounts/${id}.properties`, text })),
  );
  if (!built.ok) throw new Error(built.problems.map(formatProblem).join('\n'));
  return built.configuration;
}

describe(keyCollisions.name, () => {
  const files = configuration({
    shop: '# the shop\naccount.apiKeys = shop-key-0001, shop-key-0002',
    blog: 'account.apiKeys = blog-key-0001',
  });

  it.each<[string, Array<{ key: string; accountId: string }>, unknown[]]>([
    ['no stored keys', [], []],
    [
      'stored keys of other accounts, all different',
      [{ key: 'api-key-0001', accountId: 'api' }],
      [],
    ],
    // A key added through the API to the file account itself is the same account's.
    ['a stored key of the same account', [{ key: 'shop-key-0002', accountId: 'shop' }], []],
    [
      'a file key that the database gives to another account',
      [{ key: 'shop-key-0002', accountId: 'api' }],
      [
        'accounts/shop.properties:2: account.apiKeys: API key "shop-key-0002" is already used by account "api" (created through the admin API); API keys must be unique across accounts: remove it here, or revoke it there',
      ],
    ],
    [
      'one problem per key taken',
      [
        { key: 'shop-key-0001', accountId: 'api' },
        { key: 'blog-key-0001', accountId: 'shop' },
      ],
      [
        expect.stringMatching(/^accounts\/blog\.properties:1: .*"blog-key-0001" .*"shop"/),
        expect.stringMatching(/^accounts\/shop\.properties:2: .*"shop-key-0001" .*"api"/),
      ],
    ],
  ])('%s', (_, stored, problems) => {
    expect(keyCollisions(files, stored).map(formatProblem)).toEqual(problems);
  });
});
