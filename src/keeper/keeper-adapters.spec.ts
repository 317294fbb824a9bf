import {
  derivedCookie,
  KEEPER_LIMITS,
  keptCookieDomain,
  keptCookiesOf,
  keptSetCookieLine,
} from './keeper-adapters';
import { KeeperSetting } from '../vocabulary/keeper';
import { parseKeeperSettings } from '../properties/property-values';

const ALL = parseKeeperSettings(
  'ga, segment, rudderstack, posthog, snowplow, matomo, treasuredata, bloomreach, cookie:my_id',
);
const POSTHOG = encodeURIComponent(
  JSON.stringify({ distinct_id: '0190a3c2-7f4e-7b1a-9d2e-3c4b5a697887', $sesid: [1, 'x'] }),
);
const RUDDER = encodeURIComponent(
  'RS_ENC_v3_' +
    Buffer.from(JSON.stringify('a5ab1b3c-8e4f-4c10-9b7a-1d2e3f4a5b6c')).toString('base64'),
);

describe(keptCookiesOf.name, () => {
  it.each<[string, string, string, boolean]>([
    ['_ga', 'GA1.1.1234567890.1733000000', 'ga', true],
    ['_ga', 'GA1.2.42.1733000000', 'ga', true],
    ['_ga', 'GA2.1.1.1', 'ga', false],
    ['_ga', 'GA1.1.12345678901.1733000000', 'ga', false],
    ['ajs_anonymous_id', 'a5ab1b3c-8e4f-4c10-9b7a-1d2e3f4a5b6c', 'segment', true],
    ['ajs_anonymous_id', '%22a5ab1b3c-8e4f-4c10-9b7a-1d2e3f4a5b6c%22', 'segment', true],
    ['ajs_anonymous_id', 'a<b', 'segment', false],
    ['ajs_user_id', 'someone', 'segment', false],
    ['rl_anonymous_id', RUDDER, 'rudderstack', true],
    ['rl_anonymous_id', 'RS_ENC_v3_bm90IGpzb24', 'rudderstack', false],
    ['rl_anonymous_id', 'plain-id', 'rudderstack', false],
    ['ph_phc_AbC123_posthog', POSTHOG, 'posthog', true],
    ['ph_phc_AbC123_posthog', encodeURIComponent('{"nope":1}'), 'posthog', false],
    ['ph__posthog', POSTHOG, 'posthog', false],
    [
      '_sp_id.1fff',
      'a5ab1b3c-8e4f-4c10-9b7a-1d2e3f4a5b6c.1733000000.1.1733000000..d1e2',
      'snowplow',
      true,
    ],
    ['_sp_id.1fff', 'not-an-id', 'snowplow', false],
    ['_sp_id.zzzz', 'a5ab1b3c.1733000000.1.1733000000', 'snowplow', false],
    ['_pk_id.1.1fff', '0123456789abcdef.1733000000.', 'matomo', true],
    ['_pk_id.1.1fff', '0123456789abcdeg.1733000000.', 'matomo', false],
    ['_td', 'a5ab1b3c-8e4f-4c10-9b7a-1d2e3f4a5b6c', 'treasuredata', true],
    ['_td', 'a b', 'treasuredata', false],
    ['__exponea_etc__', '5f1c0a2e-opaque', 'bloomreach', true],
    ['my_id', 'anything.opaque-123', 'cookie:my_id', true],
    ['other', 'x', '', false],
  ])('%s=%s → %s %s', (name, value, adapter, kept) => {
    expect(keptCookiesOf(ALL, [[name, value]])).toEqual(kept ? [{ adapter, name, value }] : []);
  });

  it.each([
    ['a semicolon', 'GA1.1.1;x'],
    ['CR/LF', 'abc\r\nSet-Cookie: x=y'],
    ['non-ASCII', 'idé'],
    ['a quote', 'a"b'],
    ['a comma', 'a,b'],
    ['a backslash', 'a\\b'],
    ['a space', 'a b'],
    ['more than 2 KiB', 'x'.repeat(KEEPER_LIMITS.valueBytes + 1)],
    ['nothing', ''],
  ])('never keeps a value with %s, whatever the adapter', (_what, value) => {
    expect(keptCookiesOf(ALL, [['my_id', value]])).toEqual([]);
    expect(keptCookiesOf(ALL, [['__exponea_etc__', value]])).toEqual([]);
  });

  it('keeps a 2 KiB value', () => {
    const value = 'x'.repeat(KEEPER_LIMITS.valueBytes);
    expect(keptCookiesOf(ALL, [['my_id', value]])).toHaveLength(1);
  });

  it('keeps at most 16 cookies, however many match a wildcard', () => {
    const cookies = Array.from({ length: 200 }, (_, i) => [`ph_p${i}_posthog`, POSTHOG] as const);
    const kept = keptCookiesOf(ALL, cookies);
    expect(kept).toHaveLength(KEEPER_LIMITS.cookies);
    expect(kept[0].name).toBe('ph_p0_posthog');
  });

  it('takes the first of repeated names, and a junk first one is not replaced by a later one', () => {
    expect(
      keptCookiesOf(ALL, [
        ['_td', 'first'],
        ['_td', 'second'],
      ]).map((k) => k.value),
    ).toEqual(['first']);
    expect(
      keptCookiesOf(ALL, [
        ['_td', 'a b'],
        ['_td', 'second'],
      ]),
    ).toEqual([]);
  });

  it('keeps only what the settings name', () => {
    const segment: KeeperSetting[] = [{ adapter: 'segment' }];
    expect(
      keptCookiesOf(segment, [
        ['_ga', 'GA1.1.1.1'],
        ['ajs_anonymous_id', 'id-1'],
      ]),
    ).toEqual([{ adapter: 'segment', name: 'ajs_anonymous_id', value: 'id-1' }]);
    expect(keptCookiesOf([], [['ajs_anonymous_id', 'id-1']])).toEqual([]);
  });
});

describe(derivedCookie.name, () => {
  const id = 'r1Zq0H3y6b6Qf8W1kJ2xVg';
  const now = 1_733_000_000;

  it.each<[KeeperSetting, string, string]>([
    [{ adapter: 'segment' }, 'ajs_anonymous_id', id],
    [{ adapter: 'treasuredata' }, '_td', id],
  ])('%j is the visitor id', (setting, name, value) => {
    expect(derivedCookie(setting, id, now)).toEqual({ adapter: setting.adapter, name, value });
  });

  it('RudderStack: the visitor id in its stored form', () => {
    const derived = derivedCookie({ adapter: 'rudderstack' }, id, now)!;
    expect(derived.name).toBe('rl_anonymous_id');
    const stored = decodeURIComponent(derived.value);
    expect(stored.startsWith('RS_ENC_v3_')).toBe(true);
    expect(JSON.parse(Buffer.from(stored.slice(10), 'base64').toString())).toBe(id);
    expect(keptCookiesOf([{ adapter: 'rudderstack' }], [[derived.name, derived.value]])).toEqual([
      derived,
    ]);
  });

  it('GA: a valid GA1.1.x.y from the visitor id, the same for the same visitor', () => {
    const ga = derivedCookie({ adapter: 'ga' }, id, now)!;
    expect(ga.value).toMatch(/^GA1\.1\.\d{1,10}\.1733000000$/);
    expect(derivedCookie({ adapter: 'ga' }, id, now)).toEqual(ga);
    expect(derivedCookie({ adapter: 'ga' }, 'another-visitor-id', now)!.value).not.toBe(ga.value);
  });

  it.each<KeeperSetting>([
    { adapter: 'posthog' },
    { adapter: 'snowplow' },
    { adapter: 'matomo' },
    { adapter: 'bloomreach' },
    { adapter: 'cookie', name: 'my_id' },
  ])('%j has no format to derive', (setting) => {
    expect(derivedCookie(setting, id, now)).toBeNull();
  });
});

describe(keptCookieDomain.name, () => {
  it.each<[string, string | null]>([
    ['www.shop.example', 'shop.example'],
    ['cookies.shop.co.uk', 'shop.co.uk'],
    ['shop.github.io', 'shop.github.io'],
    ['127.0.0.1', null],
    ['localhost', null],
  ])('%s → %s', (host, domain) => {
    expect(keptCookieDomain(host)).toBe(domain);
  });
});

describe(keptSetCookieLine.name, () => {
  it.each<[string, Parameters<typeof keptSetCookieLine>, string]>([
    [
      'a kept cookie',
      [
        { name: '_ga', value: 'GA1.1.1.1' },
        { domain: 'shop.example', secure: true },
      ],
      '_ga=GA1.1.1.1; Max-Age=34560000; Path=/; Domain=shop.example; SameSite=Lax; Secure',
    ],
    [
      'host-only, not Secure',
      [
        { name: '_td', value: 'id' },
        { domain: null, secure: false },
      ],
      '_td=id; Max-Age=34560000; Path=/; SameSite=Lax',
    ],
    [
      'a deletion',
      [
        { name: '_td', value: null },
        { domain: 'shop.example', secure: true },
      ],
      '_td=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/; Domain=shop.example; SameSite=Lax; Secure',
    ],
  ])('%s', (_what, args, line) => {
    expect(keptSetCookieLine(...args)).toBe(line);
    expect(line).not.toMatch(/HttpOnly/i);
  });
});

describe(parseKeeperSettings.name, () => {
  it.each<[string, KeeperSetting[]]>([
    ['', []],
    ['GA, segment,ga', [{ adapter: 'ga' }, { adapter: 'segment' }]],
    ['cookie:my_id', [{ adapter: 'cookie', name: 'my_id' }]],
  ])('%j', (raw, settings) => {
    expect(parseKeeperSettings(raw)).toEqual(settings);
  });

  it.each(['adobe', 'cookie:', 'cookie:a;b', 'cookie:a b'])('refuses %j', (raw) => {
    expect(() => parseKeeperSettings(raw)).toThrow(/comma list of ga, segment/);
  });

  it('refuses more than 16', () => {
    const raw = Array.from({ length: 17 }, (_, i) => `cookie:c${i}`).join(',');
    expect(() => parseKeeperSettings(raw)).toThrow(/at most 16/);
  });
});
