import { DEFAULT_VALUES, findProperty, PropertyValues } from '../properties/property-catalog';
import { COOKIE_CATALOG, COOKIE_KINDS } from '../vocabulary/cookie-catalog';
import { encodeRelayEntries } from './relay-header';
import {
  buildCookiePlan,
  CONSENT_GATED,
  COOKIE_LIFETIME,
  MAX_AGE_CAP_SECONDS,
  relayCookie,
  relayEntry,
  resolveSameSite,
  ResponseCookieContext,
  setCookieLine,
} from './cookie-plan';

const props = (over: Partial<Record<keyof PropertyValues, unknown>> = {}): PropertyValues =>
  ({ ...DEFAULT_VALUES, ...over }) as PropertyValues;
const server = { multiAccount: true, clusterEnabled: false };
const ctx: ResponseCookieContext = {
  setCookieDomain: null,
  relayDomain: null,
  sameSite: 'Lax',
  now: 1_700_000_000,
};

describe(resolveSameSite.name, () => {
  it.each([
    ['AUTO', true, true, 'None'],
    ['AUTO', false, true, 'Lax'],
    ['AUTO', true, false, 'Lax'],
    ['AUTO', false, false, 'Lax'],
    ['Strict', true, true, 'Strict'],
    ['Lax', true, true, 'Lax'],
    ['None', true, false, 'None'],
  ] as const)('%s, secure=%s, cross-site=%s → %s', (setting, secure, crossSite, expected) => {
    expect(resolveSameSite(setting, secure, crossSite)).toBe(expected);
  });
});

describe(buildCookiePlan.name, () => {
  it('caps lifetimes at 400 days and keeps session cookies without one', () => {
    const plan = buildCookiePlan('shop', 'shop-key-1', props(), server);
    expect(plan.cookies.device.maxAge).toBe(MAX_AGE_CAP_SECONDS);
    expect(plan.cookies['anonymous-person'].maxAge).toBe(34560000);
    expect(plan.cookies.consent.maxAge).toBe(31536000);
    expect(plan.cookies.authsession.maxAge).toBe(604800);
    expect(plan.cookies.session.maxAge).toBeNull();
    expect(plan.cookies.lang.maxAge).toBeNull();
    expect(plan.cookies.device.gated).toBe(true);
    expect(plan.cookies.session.gated).toBe(false);
  });

  it('names cookies per the account settings and the request API key', () => {
    const plan = buildCookiePlan(
      'shop',
      'MZsy5sFESYqU7MawXZgR_w',
      props({ 'identifier.deviceCookieName': 'dev' }),
      server,
    );
    expect(plan.cookies.session.name).toBe('x-unblu-MZsy5sFESYqU7MawXZgR_w-session');
    expect(plan.cookies.device.name).toBe('x-unblu-MZsy5sFESYqU7MawXZgR_w-dev');
    expect(plan.cookies.lang.name).toBe('x-unblu-lang');
  });

  it('uses the cluster universe domain in cluster mode', () => {
    const p = props({
      'identifier.cookieDomain': { mode: 'auto' },
      'identifier.clusterUniverseCookieDomain': { mode: 'fixed', domain: 'cluster.example' },
    });
    expect(buildCookiePlan('s', 'k1234567', p, server).domain).toEqual({ mode: 'auto' });
    expect(buildCookiePlan('s', 'k1234567', p, { ...server, clusterEnabled: true }).domain).toEqual(
      {
        mode: 'fixed',
        domain: 'cluster.example',
      },
    );
  });
});

describe(setCookieLine.name, () => {
  const plan = (over = {}) => buildCookiePlan('shop', 'k1234567', props(over), server);

  it.each<
    [
      string,
      Partial<Record<keyof PropertyValues, unknown>>,
      'device' | 'session',
      string | null,
      Partial<ResponseCookieContext>,
      string,
    ]
  >([
    [
      'durable, host-only',
      {},
      'device',
      'v.1',
      {},
      'x-unblu-k1234567-device=v.1; Max-Age=34560000; Path=/; HttpOnly; Secure; SameSite=Lax',
    ],
    [
      'session: no Max-Age nor Expires',
      {},
      'session',
      'v.1',
      {},
      'x-unblu-k1234567-session=v.1; Path=/; HttpOnly; Secure; SameSite=Lax',
    ],
    [
      'with a domain and SameSite=None',
      {},
      'session',
      'v.1',
      { setCookieDomain: 'shop.com', sameSite: 'None' },
      'x-unblu-k1234567-session=v.1; Domain=shop.com; Path=/; HttpOnly; Secure; SameSite=None',
    ],
    [
      'partitioned',
      { 'identifier.cookiePartitioned': true },
      'session',
      'v.1',
      { sameSite: 'None' },
      'x-unblu-k1234567-session=v.1; Path=/; HttpOnly; Secure; Partitioned; SameSite=None',
    ],
    [
      'not secure',
      { 'identifier.cookieSecureFlag': false },
      'session',
      'v.1',
      {},
      'x-unblu-k1234567-session=v.1; Path=/; HttpOnly; SameSite=Lax',
    ],
    [
      'custom path and short lifetime',
      { 'identifier.cookiePath': '/app', 'identifier.deviceCookieMaxAge': 60 },
      'device',
      'v.1',
      {},
      'x-unblu-k1234567-device=v.1; Max-Age=60; Path=/app; HttpOnly; Secure; SameSite=Lax',
    ],
    [
      'lifetime 0: a session cookie',
      { 'identifier.deviceCookieMaxAge': 0 },
      'device',
      'v.1',
      {},
      'x-unblu-k1234567-device=v.1; Path=/; HttpOnly; Secure; SameSite=Lax',
    ],
    [
      'deletion',
      {},
      'device',
      null,
      {},
      'x-unblu-k1234567-device=; Max-Age=0; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax',
    ],
  ])('%s', (_what, over, kind, value, c, expected) => {
    const p = plan(over);
    expect(setCookieLine(p, { spec: p.cookies[kind], value }, { ...ctx, ...c })).toBe(expected);
  });

  it('relays the same cookie for the page, with absolute expiry', () => {
    const p = plan();
    expect(
      relayCookie(p, { spec: p.cookies.device, value: 'v.1' }, { ...ctx, relayDomain: 'shop.com' }),
    ).toEqual({
      name: 'x-unblu-k1234567-device',
      value: 'v.1',
      domain: '.shop.com',
      path: '/',
      expires: 1_700_000_000 + MAX_AGE_CAP_SECONDS,
      secure: true,
      sameSite: 'Lax',
    });
    expect(relayCookie(p, { spec: p.cookies.session, value: null }, ctx)).toMatchObject({
      value: '',
      expires: 0,
      domain: null,
    });
  });

  it('writes the same relay header from prepared parts as from whole cookies', () => {
    const p = plan({ 'identifier.cookiePath': '/bü€' });
    // Each shape twice in a row: the second takes the parts from the plan's memo.
    const shapes: Array<[ResponseCookieContext, Array<[keyof typeof p.cookies, string | null]>]> = [
      [
        ctx,
        [
          ['device', 'v.1'],
          ['session', null],
        ],
      ],
      [{ ...ctx, relayDomain: 'shop.com', now: 1_800_000_000 }, [['device', 'w.2']]],
      [
        ctx,
        [
          ['anonymous-person', 'x.3'],
          ['session', 's.4'],
        ],
      ],
      [
        { ...ctx, relayDomain: 'shop.com' },
        [
          ['device', null],
          ['consent', 'granted.5'],
        ],
      ],
    ];
    for (const [c, writes] of [...shapes, ...shapes]) {
      const w = writes.map(([kind, value]) => ({ spec: p.cookies[kind], value }));
      const header = encodeRelayEntries(
        p.mode,
        w.map((x) => relayEntry(p, x, c)),
      );
      expect(header).toMatch(/^[\x20-\x7e]+$/);
      expect(JSON.parse(header)).toEqual({
        v: 1,
        mode: p.mode,
        cookies: w.map((x) => relayCookie(p, x, c)),
      });
    }
  });
});

describe('the cookie catalog (vocabulary/cookie-catalog.ts)', () => {
  it.each(COOKIE_KINDS)('%s: its lifetime is a property of the catalog, or none', (kind) => {
    const key = COOKIE_CATALOG[kind].lifetimeKey;
    if (key !== null) expect(findProperty(key)?.key).toBe(key);
    expect(COOKIE_LIFETIME[kind]).toBe(key);
    expect(CONSENT_GATED.has(kind)).toBe(COOKIE_CATALOG[kind].gated);
  });

  it('gates the identity cookies only', () => {
    expect([...CONSENT_GATED].sort()).toEqual(['anonymous-person', 'device']);
  });
});
