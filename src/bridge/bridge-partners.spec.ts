import { acceptsBridgeFrom } from './bridge-partners';

describe(acceptsBridgeFrom.name, () => {
  const partners: Record<string, string[]> = {
    shop: ['checkout', 'news'],
    checkout: ['shop'],
    news: [],
    lonely: ['shop'],
  };
  const partnersOf = (id: string) => partners[id] ?? null;

  it.each([
    ['the same account', 'shop', 'shop', true],
    ['each lists the other (issuer shop)', 'checkout', 'shop', true],
    ['each lists the other (issuer checkout)', 'shop', 'checkout', true],
    ['only the redeeming account lists the issuer', 'shop', 'news', false],
    ['only the issuer lists the redeeming account', 'shop', 'lonely', false],
    ['neither lists the other', 'news', 'lonely', false],
    ['the issuer no longer exists', 'shop', 'gone', false],
    ['the redeeming account does not exist', 'gone', 'shop', false],
  ])('%s: %s accepts a token of %s → %s', (_, here, issuer, expected) => {
    expect(acceptsBridgeFrom(here, issuer, partnersOf)).toBe(expected);
  });
});
