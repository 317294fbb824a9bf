import type { CorsCookieMode } from '../properties/property-catalog';
import { encodeRelayEntries, RelayCookie, relayEntryParts } from './relay-header';

/** The relay header for cookies given whole: what encodeRelayEntries writes from their parts. */
function encodeRelayHeader(mode: CorsCookieMode, cookies: readonly RelayCookie[]): string {
  return encodeRelayEntries(
    mode,
    cookies.map((c) => ({ parts: relayEntryParts(c), value: c.value, expires: c.expires })),
  );
}

const session: RelayCookie = {
  name: 'x-unblu-k1234567-session',
  value: 'abc.def',
  domain: '.shop.example.com',
  path: '/',
  expires: null,
  secure: true,
  sameSite: 'Lax',
};

describe(encodeRelayEntries.name, () => {
  it.each<[string, RelayCookie[], string]>([
    [
      'a session cookie',
      [session],
      '{"v":1,"mode":"LOCAL_STORAGE","cookies":[{"name":"x-unblu-k1234567-session","value":"abc.def","domain":".shop.example.com","path":"/","expires":null,"secure":true,"sameSite":"Lax"}]}',
    ],
    [
      'a durable host-only cookie and a deletion',
      [
        { ...session, name: 'd', domain: null, expires: 1790000000 },
        { ...session, name: 'x', value: '', expires: 0 },
      ],
      '{"v":1,"mode":"LOCAL_STORAGE","cookies":[{"name":"d","value":"abc.def","domain":null,"path":"/","expires":1790000000,"secure":true,"sameSite":"Lax"},{"name":"x","value":"","domain":".shop.example.com","path":"/","expires":0,"secure":true,"sameSite":"Lax"}]}',
    ],
    ['nothing', [], '{"v":1,"mode":"LOCAL_STORAGE","cookies":[]}'],
  ])('encodes %s', (_what, cookies, expected) => {
    expect(encodeRelayHeader('LOCAL_STORAGE', cookies)).toBe(expected);
  });

  it('writes exactly what JSON.stringify writes', () => {
    const cookies = [session, { ...session, name: 'a"b\\c', domain: null, expires: 0, value: '' }];
    expect(encodeRelayHeader('PRODUCT_DOMAIN', cookies)).toBe(
      JSON.stringify({ v: 1, mode: 'PRODUCT_DOMAIN', cookies }),
    );
  });

  it('is ASCII only and round-trips', () => {
    const header = encodeRelayHeader('LOCAL_DOMAIN_STORAGE', [{ ...session, path: '/bü€' }]);
    expect(header).toMatch(/^[\x20-\x7e]+$/);
    expect(JSON.parse(header)).toEqual({
      v: 1,
      mode: 'LOCAL_DOMAIN_STORAGE',
      cookies: [{ ...session, path: '/bü€' }],
    });
  });
});
