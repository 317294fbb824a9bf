import type { IncomingHttpHeaders } from 'node:http';
import { publicBase } from './public-base';

describe(publicBase.name, () => {
  const headers = (over: IncomingHttpHeaders): IncomingHttpHeaders => ({
    host: 'pantry.internal:3000',
    ...over,
  });
  it.each<[string, IncomingHttpHeaders, boolean, string | null]>([
    [
      'without trustProxy: nothing (Host may be internal)',
      headers({ 'x-forwarded-host': 'www.shop.com' }),
      false,
      null,
    ],
    [
      'behind a proxy that strips /pantry',
      headers({
        'x-forwarded-host': 'www.shop.com',
        'x-forwarded-proto': 'https',
        'x-forwarded-prefix': '/pantry',
      }),
      true,
      'https://www.shop.com/pantry/unblu/',
    ],
    [
      'no prefix',
      headers({ 'x-forwarded-host': 'Www.Shop.com:8443', 'x-forwarded-proto': 'https' }),
      true,
      'https://www.shop.com:8443/unblu/',
    ],
    [
      'a junk prefix is ignored',
      headers({ 'x-forwarded-host': 'www.shop.com', 'x-forwarded-prefix': '/../x' }),
      true,
      'http://www.shop.com/unblu/',
    ],
    [
      'a junk host: nothing',
      headers({ 'x-forwarded-host': 'evil.com/x?', 'x-forwarded-prefix': '/p' }),
      true,
      null,
    ],
    [
      'the Host header when no X-Forwarded-Host',
      headers({ 'x-forwarded-prefix': '/p' }),
      true,
      'http://pantry.internal:3000/p/unblu/',
    ],
  ])('%s', (_what, given, trust, expected) => {
    expect(publicBase(given, 'http', '/unblu', trust)).toBe(expected);
  });
});
