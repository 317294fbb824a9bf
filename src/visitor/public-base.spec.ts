import { ForwardedView, forwardedPrefix, publicBase } from './public-base';

describe(forwardedPrefix.name, () => {
  it.each<[string | undefined, string | null]>([
    [undefined, null],
    ['/pantry', '/pantry'],
    ['/pantry/', '/pantry'],
    ['/a/b-c/d_e.f', '/a/b-c/d_e.f'],
    ['/pantry, /other', '/pantry'],
    ['', null],
    ['/', null],
    ['pantry', null],
    ['//evil.com', null],
    ['/a//b', null],
    ['/..', null],
    ['/a/../b', null],
    ['/./a', null],
    ['/a b', null],
    ['/a?x=1', null],
    ['/a%2F..', null],
    ['https://evil.com/x', null],
    [`/${'a'.repeat(300)}`, null],
  ])('%j → %j', (raw, expected) => expect(forwardedPrefix(raw)).toBe(expected));
});

describe(publicBase.name, () => {
  const req = (over: Partial<ForwardedView>): ForwardedView => ({
    host: 'pantry.internal:3000',
    protocol: 'http',
    forwardedHost: undefined,
    forwardedProto: undefined,
    forwardedPrefix: undefined,
    ...over,
  });
  it.each<[string, ForwardedView, boolean, string | null]>([
    [
      'without trustProxy: nothing (Host may be internal)',
      req({ forwardedHost: 'www.shop.com' }),
      false,
      null,
    ],
    [
      'behind a proxy that strips /pantry',
      req({ forwardedHost: 'www.shop.com', forwardedProto: 'https', forwardedPrefix: '/pantry' }),
      true,
      'https://www.shop.com/pantry/unblu/',
    ],
    [
      'no prefix',
      req({ forwardedHost: 'Www.Shop.com:8443', forwardedProto: 'https' }),
      true,
      'https://www.shop.com:8443/unblu/',
    ],
    [
      'a junk prefix is ignored',
      req({ forwardedHost: 'www.shop.com', forwardedPrefix: '/../x' }),
      true,
      'http://www.shop.com/unblu/',
    ],
    [
      'a junk host: nothing',
      req({ forwardedHost: 'evil.com/x?', forwardedPrefix: '/p' }),
      true,
      null,
    ],
    [
      'the Host header when no X-Forwarded-Host',
      req({ forwardedPrefix: '/p' }),
      true,
      'http://pantry.internal:3000/p/unblu/',
    ],
  ])('%s', (_what, view, trust, expected) => {
    expect(publicBase(view, '/unblu', trust)).toBe(expected);
  });
});
