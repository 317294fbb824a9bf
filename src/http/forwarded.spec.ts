import type { IncomingHttpHeaders } from 'node:http';
import { publicHost, publicPrefix, publicProtocol, single } from './forwarded';

describe(single.name, () => {
  it.each<[string | string[] | undefined, string | undefined]>([
    [undefined, undefined],
    ['a', 'a'],
    [['a', 'b'], 'a'],
    [[], undefined],
  ])('%j → %j', (value, expected) => expect(single(value)).toBe(expected));
});

describe(publicHost.name, () => {
  it.each<[string, IncomingHttpHeaders, boolean, string | undefined]>([
    ['Host without trustProxy', { host: 'pantry.internal:3000' }, false, 'pantry.internal:3000'],
    [
      'X-Forwarded-Host ignored without trustProxy',
      { host: 'pantry.internal', 'x-forwarded-host': 'www.shop.com' },
      false,
      'pantry.internal',
    ],
    [
      'X-Forwarded-Host behind a trusted proxy',
      { host: 'pantry.internal', 'x-forwarded-host': 'www.shop.com' },
      true,
      'www.shop.com',
    ],
    [
      'its first entry, trimmed',
      { host: 'pantry.internal', 'x-forwarded-host': ' www.shop.com , proxy.internal' },
      true,
      'www.shop.com',
    ],
    [
      'the first of repeated headers',
      { host: 'pantry.internal', 'x-forwarded-host': ['a.shop.com', 'b.shop.com'] as never },
      true,
      'a.shop.com',
    ],
    [
      'an empty X-Forwarded-Host: Host',
      { host: 'pantry.internal', 'x-forwarded-host': ' ' },
      true,
      'pantry.internal',
    ],
    ['no Host at all', {}, true, undefined],
  ])('%s', (_what, headers, trust, expected) => expect(publicHost(headers, trust)).toBe(expected));
});

describe(publicProtocol.name, () => {
  it.each<[string, IncomingHttpHeaders, 'http' | 'https', boolean, 'http' | 'https']>([
    ['the socket’s without trustProxy', { 'x-forwarded-proto': 'https' }, 'http', false, 'http'],
    ['trusted https', { 'x-forwarded-proto': 'https' }, 'http', true, 'https'],
    ['trusted http on a TLS socket', { 'x-forwarded-proto': 'http' }, 'https', true, 'http'],
    ['first entry, any case', { 'x-forwarded-proto': ' HTTPS, http' }, 'http', true, 'https'],
    ['another scheme: the socket’s', { 'x-forwarded-proto': 'ftp' }, 'https', true, 'https'],
    ['absent: the socket’s', {}, 'https', true, 'https'],
  ])('%s', (_what, headers, socket, trust, expected) =>
    expect(publicProtocol(headers, socket, trust)).toBe(expected),
  );
});

describe(publicPrefix.name, () => {
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
  ])('trusted %j → %j', (raw, expected) =>
    expect(publicPrefix(raw === undefined ? {} : { 'x-forwarded-prefix': raw }, true)).toBe(
      expected,
    ),
  );

  it('is ignored without trustProxy', () =>
    expect(publicPrefix({ 'x-forwarded-prefix': '/pantry' }, false)).toBeNull());
});
