import { OriginMatcher } from '../vocabulary/origin-matcher';
import { crossOriginVerdict } from './cross-origin';
import type { IncomingHttpHeaders } from 'node:http';
import { visitorRequest } from './visitor-request';

interface Given {
  readonly origin?: string;
  readonly host?: string;
  readonly protocol?: 'http' | 'https';
  readonly forwardedHost?: string;
  readonly forwardedProto?: string;
}

/** The request as the visitor API reads it (visitorRequest), from the headers a client sent. */
const req = (given: Given, trustProxy: boolean) => {
  const headers: IncomingHttpHeaders = { host: 'cookies.shop.com' };
  if ('host' in given) headers.host = given.host;
  if (given.origin !== undefined) headers.origin = given.origin;
  if (given.forwardedHost !== undefined) headers['x-forwarded-host'] = given.forwardedHost;
  if (given.forwardedProto !== undefined) headers['x-forwarded-proto'] = given.forwardedProto;
  const protocol = given.protocol ?? 'https';
  return visitorRequest(
    { method: 'POST', headers, query: {}, protocol, id: '-' },
    'x-',
    trustProxy,
  );
};
const allowed = new OriginMatcher([
  'https://www.shop.com',
  'https://*.partner.io',
  'http://localhost:3000',
]);

describe(crossOriginVerdict.name, () => {
  it.each<[string, Given, boolean, object]>([
    ['no Origin: same-origin', {}, false, { kind: 'same-origin', contextHost: 'cookies.shop.com' }],
    ['own origin', { origin: 'https://cookies.shop.com' }, false, { kind: 'same-origin' }],
    [
      'own origin with explicit default port',
      { origin: 'https://cookies.shop.com:443' },
      false,
      { kind: 'same-origin' },
    ],
    [
      'allowed, same site',
      { origin: 'https://www.shop.com' },
      false,
      { kind: 'allowed', contextHost: 'www.shop.com', crossSite: false },
    ],
    [
      'allowed by wildcard, cross-site',
      { origin: 'https://app.partner.io' },
      false,
      { kind: 'allowed', contextHost: 'app.partner.io', crossSite: true },
    ],
    [
      'allowed, other scheme: cross-site',
      { origin: 'http://localhost:3000', host: 'localhost:3000', protocol: 'https' },
      false,
      { kind: 'allowed', crossSite: true },
    ],
    ['not allowed', { origin: 'https://evil.com' }, false, { kind: 'refused' }],
    ['Origin null', { origin: 'null' }, false, { kind: 'refused' }],
    ['Origin junk', { origin: 'https://www.shop.com/../x' }, false, { kind: 'refused' }],
    [
      'no Host, allowed origin',
      { host: undefined, origin: 'https://www.shop.com' },
      false,
      { kind: 'allowed', serverHost: null, crossSite: true },
    ],
    [
      'hostile Host',
      { host: 'evil.com/<script>', origin: 'https://www.shop.com' },
      false,
      { kind: 'allowed', serverHost: null },
    ],
    [
      'X-Forwarded-Host ignored without trustProxy',
      { forwardedHost: 'www.shop.com', origin: 'https://www.shop.com' },
      false,
      { kind: 'allowed', serverHost: 'cookies.shop.com' },
    ],
    [
      'X-Forwarded-Host honoured behind a trusted proxy',
      {
        host: 'pantry:3000',
        protocol: 'http',
        forwardedHost: 'cookies.shop.com',
        forwardedProto: 'https',
        origin: 'https://cookies.shop.com',
      },
      true,
      { kind: 'same-origin', serverHost: 'cookies.shop.com' },
    ],
  ])('%s', (_what, over, trustProxy, expected) => {
    expect(crossOriginVerdict(req(over, trustProxy), allowed)).toMatchObject(expected);
  });
});
