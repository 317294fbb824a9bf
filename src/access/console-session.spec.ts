import {
  adminBindingMatches,
  adminBindingOf,
  changesState,
  clearedSessionCookie,
  cookieTransport,
  CookieTransport,
  csrfMatches,
  csrfTokenOf,
  needsTouch,
  newSessionId,
  sessionCookie,
  sessionIdHash,
  sessionIdsIn,
  sessionState,
  SessionState,
} from './console-session';

const LIMITS = { idleSeconds: 1800, maxSeconds: 43200 };
const ID = newSessionId();
const OTHER = newSessionId();

describe(sessionState.name, () => {
  const t0 = 1_700_000_000_000;
  const rows: Array<[string, number, number, SessionState]> = [
    ['just signed in', t0, t0, 'live'],
    ['used a second ago', t0 - 3600_000, t0 - 1000, 'live'],
    ['idle one second short of the limit', t0 - 1799_000, t0 - 1799_000, 'live'],
    ['idle exactly the limit', t0 - 1800_000, t0 - 1800_000, 'idle'],
    ['idle an hour', t0 - 7200_000, t0 - 3600_000, 'idle'],
    ['busy, but at the cap', t0 - 43200_000, t0 - 1000, 'expired'],
    ['busy, past the cap', t0 - 50000_000, t0, 'expired'],
  ];
  it.each(rows)('%s → %s', (_name, createdAt, lastSeenAt, want) => {
    expect(sessionState({ createdAt, lastSeenAt }, t0, LIMITS)).toBe(want);
  });
});

describe(needsTouch.name, () => {
  const rows: Array<[string, number, number, boolean]> = [
    ['default limits, used 10 s ago', 1800, 10_000, false],
    ['default limits, used 59 s ago', 1800, 59_000, false],
    ['default limits, used 60 s ago (at most a minute)', 1800, 60_000, true],
    ['a 10 s idle limit, used 0.9 s ago', 10, 900, false],
    ['a 10 s idle limit, used 1 s ago (a tenth)', 10, 1000, true],
  ];
  it.each(rows)('%s → %s', (_name, idleSeconds, ago, want) => {
    const now = 1_700_000_000_000;
    const times = { createdAt: now - ago, lastSeenAt: now - ago };
    expect(needsTouch(times, now, { idleSeconds, maxSeconds: 43200 })).toBe(want);
  });
});

describe(cookieTransport.name, () => {
  const rows: Array<[string, 'http' | 'https', boolean, string | undefined, CookieTransport]> = [
    ['HTTPS by the trusted proxy', 'https', true, '127.0.0.1', 'secure'],
    ['plain HTTP to 127.0.0.1', 'http', false, '127.0.0.1', 'loopback'],
    ['plain HTTP to 127.1.2.3', 'http', false, '127.1.2.3', 'loopback'],
    ['plain HTTP to ::1', 'http', false, '::1', 'loopback'],
    ['plain HTTP to an IPv4-mapped loopback', 'http', false, '::ffff:127.0.0.1', 'loopback'],
    ['plain HTTP to a LAN address', 'http', false, '10.0.0.5', 'refused'],
    ['plain HTTP to a public IPv6 address', 'http', false, '2001:db8::1', 'refused'],
    ['plain HTTP through a proxy on loopback', 'http', true, '127.0.0.1', 'refused'],
    ['no local address', 'http', false, undefined, 'refused'],
  ];
  it.each(rows)('%s → %s', (_name, scheme, forwarded, local, want) => {
    expect(cookieTransport(scheme, forwarded, local)).toBe(want);
  });
});

describe(sessionIdsIn.name, () => {
  const rows: Array<[string, string | string[] | undefined, string[]]> = [
    ['no header', undefined, []],
    ['other cookies only', 'a=1; b=2', []],
    ['the session cookie', `a=1; pantry-console=${ID}; b=2`, [ID]],
    [
      'two of them (two paths), in order',
      `pantry-console=${ID}; pantry-console=${OTHER}`,
      [ID, OTHER],
    ],
    ['a malformed value', 'pantry-console=short', []],
    ['a value too long', `pantry-console=${ID}x`, []],
    ['a name that only starts alike', `pantry-console-x=${ID}`, []],
    ['repeated headers', ['a=1', `pantry-console=${ID}`], [ID]],
    ['a header of 40 KB', `pantry-console=${ID}; ${'x'.repeat(40_000)}`, []],
  ];
  it.each(rows)('%s', (_name, header, want) => {
    expect(sessionIdsIn(header)).toEqual(want);
  });
});

describe(csrfMatches.name, () => {
  const rows: Array<[string, string | string[] | undefined, boolean]> = [
    ['the session’s token', csrfTokenOf(ID), true],
    ['another session’s token', csrfTokenOf(OTHER), false],
    ['the session id itself', ID, false],
    ['none', undefined, false],
    ['empty', '', false],
    ['repeated header', [csrfTokenOf(ID), csrfTokenOf(ID)], false],
    ['the token with a character more', `${csrfTokenOf(ID)}x`, false],
  ];
  it.each(rows)('%s → %s', (_name, presented, want) => {
    expect(csrfMatches(ID, presented)).toBe(want);
  });

  it('the token tells nothing of the id, nor the stored hash of the token', () => {
    expect(csrfTokenOf(ID)).not.toContain(ID);
    expect(sessionIdHash(ID)).toMatch(/^[0-9a-f]{64}$/);
    expect(sessionIdHash(ID)).not.toBe(sessionIdHash(OTHER));
  });
});

describe(adminBindingMatches.name, () => {
  const token = 'test-admin-token-0123456789';
  const rows: Array<[string, string, string | null, boolean]> = [
    ['the token in force', token, adminBindingOf(ID, token), true],
    ['a changed admin token', 'another-admin-token-0123456789', adminBindingOf(ID, token), false],
    ['another session’s binding', token, adminBindingOf(OTHER, token), false],
    ['none stored', token, null, false],
    ['junk stored', token, 'zz', false],
  ];
  it.each(rows)('%s → %s', (_name, inForce, stored, want) => {
    expect(adminBindingMatches(ID, inForce, stored)).toBe(want);
  });
});

describe('the session cookie', () => {
  it.each([
    [true, `pantry-console=${ID}; Path=/admin; Max-Age=43200; HttpOnly; SameSite=Strict; Secure`],
    [false, `pantry-console=${ID}; Path=/admin; Max-Age=43200; HttpOnly; SameSite=Strict`],
  ])('secure %s', (secure, want) => {
    expect(sessionCookie(ID, 43200.7, secure)).toBe(want);
  });

  it('is cleared on the same path', () => {
    expect(clearedSessionCookie(true)).toBe(
      'pantry-console=; Path=/admin; Max-Age=0; HttpOnly; SameSite=Strict; Secure',
    );
  });

  it.each([
    ['GET', false],
    ['HEAD', false],
    ['OPTIONS', false],
    ['POST', true],
    ['PUT', true],
    ['PATCH', true],
    ['DELETE', true],
    ['delete', true],
  ])('%s changes state: %s', (method, want) => {
    expect(changesState(method)).toBe(want);
  });
});
