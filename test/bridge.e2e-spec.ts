import { BRIDGE_FAILURES } from '../src/vocabulary/bridge-outcomes';
import { UnitOfWork } from '../src/database/unit-of-work';
import { CaptureLogger } from './helpers/capture-logger';
import { identifyWith } from './helpers/bridge-calls';
import { cookieHeader, setCookie } from './helpers/cookies';
import { TEST_ADMIN_TOKEN, useApp } from './helpers/test-app';

const KEY = 'shop-key-0001';
const NEWS = 'news-key-0001';
const GATED = 'gated-key-001';
const SHOP = 'https://www.shop.com';
const CHECKOUT = 'https://www.checkout-shop.net';
const person = (key: string) => `x-unblu-${key}-anonymous-person`;

describe('cross-domain identity bridge', () => {
  const logger = new CaptureLogger();
  const tokens: string[] = [];
  const api = () => pantry.http();

  const site = (key: string, extra: string[] = []) =>
    [
      `account.apiKeys = ${key}`,
      `server.cors.allowedOrigins = ${SHOP}, ${CHECKOUT}, https://*.checkout-shop.net`,
      `bridge.targets = ${CHECKOUT}`,
      'server.cors.corsCookieMode = LOCAL_STORAGE',
      ...extra,
    ].join('\n');
  const pantry = useApp(
    {
      accounts: {
        shop: site(KEY, ['consent.required = false']),
        news: site(NEWS, ['consent.required = false']),
        gated: site(GATED),
      },
    },
    { logger },
  );

  const identify = (origin: string, key = KEY, cookie = '', bridge?: string) => {
    const r = api()
      .post(`/unblu/v1/identify?x-unblu-apikey=${key}`)
      .set('Origin', origin)
      .set('Cookie', cookie);
    return bridge === undefined ? r : r.set('x-unblu-bridge', bridge);
  };
  const consent = (
    origin: string,
    key: string,
    cookie: string,
    granted: boolean,
    bridge?: string,
  ) => {
    const r = api()
      .post(`/unblu/v1/consent?x-unblu-apikey=${key}`)
      .set('Origin', origin)
      .set('Cookie', cookie);
    return (bridge === undefined ? r : r.set('x-unblu-bridge', bridge)).send({ granted });
  };
  const bridge = (cookie: string, to: unknown, key = KEY, origin = SHOP) =>
    api()
      .post(`/unblu/v1/bridge?x-unblu-apikey=${key}`)
      .set('Origin', origin)
      .set('Cookie', cookie)
      .send(to === undefined ? {} : { to });

  /** A visitor on the shop, and a token for the checkout. */
  async function visitorWithToken(key = KEY) {
    const visit = await identify(SHOP, key).expect(200);
    const res = await bridge(cookieHeader(visit), `${CHECKOUT}/cart?x=1`, key).expect(200);
    tokens.push(res.body.token);
    return {
      visit,
      visitorId: visit.body.visitorId as string,
      token: res.body.token as string,
      res,
    };
  }

  it('issues an opaque, URL-safe, short token and decorates the link with it', async () => {
    const { visitorId, token, res } = await visitorWithToken();
    expect(token.length).toBeLessThanOrEqual(64);
    expect(token).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(token).not.toContain(visitorId);
    expect(Buffer.from(token.split('.')[0], 'base64url').toString('latin1')).not.toContain(
      visitorId,
    );
    const url = new URL(res.body.url);
    expect(url.origin + url.pathname).toBe(`${CHECKOUT}/cart`);
    expect(url.searchParams.get('x')).toBe('1');
    expect(url.searchParams.get('pantry_bridge')).toBe(token);
    expect(res.body.expires).toBeGreaterThan(Date.now() / 1000 + 100);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.headers['access-control-allow-origin']).toBe(SHOP);
  });

  it('adopts the visitor id on the target, once; a replay is "used"; the same visitor again is a no-op', async () => {
    const { visitorId, token } = await visitorWithToken();
    const there = await identify(CHECKOUT, KEY, '', token).expect(200);
    expect(there.body).toMatchObject({ visitorId, bridged: true });
    expect(setCookie(there, person(KEY))!.value.startsWith(`${visitorId}.`)).toBe(true);
    expect(JSON.parse(there.headers['x-unblu-set-cookie']).cookies).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: person(KEY) })]),
    );
    // The same browser sends it again: it already carries that id.
    const again = await identify(CHECKOUT, KEY, cookieHeader(there), token).expect(200);
    expect(again.body).toMatchObject({ visitorId, bridged: true });
    // Another browser replays it.
    const replay = await identify(CHECKOUT, KEY, '', token).expect(200);
    expect(replay.body).toMatchObject({ bridged: false, bridge: 'used' });
    expect(replay.body.visitorId).not.toBe(visitorId);
    // Recorded, and shown in the admin record.
    const record = await api()
      .get(`/admin/v1/accounts/shop/visitors/${visitorId}`)
      .set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`)
      .expect(200);
    expect(record.body.bridges).toEqual([{ from: SHOP, to: CHECKOUT, at: expect.any(String) }]);
  });

  const record = (account: string, visitorId: string) =>
    api()
      .get(`/admin/v1/accounts/${account}/visitors/${visitorId}`)
      .set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`);

  it('a visitor who already has an id on the target keeps it (no fixation by a planted link): already_identified, the token used up, the ids linked on both records', async () => {
    // The attacker's token, planted in a link; the victim already has an id on the checkout.
    const { visitorId: attacker, token } = await visitorWithToken();
    const victim = await identify(CHECKOUT).expect(200);
    const victimId = victim.body.visitorId as string;
    expect(victimId).not.toBe(attacker);
    const there = await identify(CHECKOUT, KEY, cookieHeader(victim), token).expect(200);
    expect(there.body).toMatchObject({
      visitorId: victimId,
      deviceId: victim.body.deviceId,
      bridged: false,
      bridge: 'already_identified',
    });
    // No cookie carries the attacker's id, in Set-Cookie or in the relay header.
    expect(JSON.stringify(there.headers['set-cookie'] ?? [])).not.toContain(attacker);
    expect(String(there.headers['x-unblu-set-cookie'] ?? '')).not.toContain(attacker);
    const later = await identify(CHECKOUT, KEY, cookieHeader(victim, there)).expect(200);
    expect(later.body.visitorId).toBe(victimId);
    // Consumed: nobody adopts it afterwards.
    expect((await identify(CHECKOUT, KEY, '', token).expect(200)).body).toMatchObject({
      bridged: false,
      bridge: 'used',
    });
    // Linked on both records; no redemption carried either id.
    const link = (visitorId: string) => ({
      account: 'shop',
      visitorId,
      from: SHOP,
      to: CHECKOUT,
      at: expect.any(String),
    });
    const victimRecord = (await record('shop', victimId).expect(200)).body;
    expect(victimRecord).toMatchObject({ links: [link(attacker)], bridges: [] });
    const attackerRecord = (await record('shop', attacker).expect(200)).body;
    expect(attackerRecord).toMatchObject({ links: [link(victimId)], bridges: [] });
    // Erasing one side removes the link from the other record too.
    await api()
      .delete(`/admin/v1/accounts/shop/visitors/${victimId}`)
      .set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`)
      .expect(204);
    expect((await record('shop', attacker).expect(200)).body.links).toEqual([]);
    // Gone from the table, both rows (the id is one the server generated: no quoting needed).
    const rows: Array<{ n: number | string }> = await pantry.app
      .get(UnitOfWork)
      .read((em) =>
        em.query(
          `SELECT COUNT(*) AS n FROM "bridge_links" WHERE "visitorId" = '${victimId}' OR "linkedVisitorId" = '${victimId}'`,
        ),
      );
    expect(Number(rows[0].n)).toBe(0);
  });

  it('a fresh visitor on the target adopts the id, and the device id when it has none', async () => {
    const { visit, visitorId, token } = await visitorWithToken();
    const bare = await identify(CHECKOUT, KEY, '', token).expect(200);
    expect(bare.body).toMatchObject({ visitorId, deviceId: visit.body.deviceId, bridged: true });
    // Both cookies are set anew on this domain: `issued` says so.
    expect(bare.body.issued).toEqual(expect.arrayContaining(['device', 'anonymous-person']));
    // A browser with only a device id there (no anonymous-person id) adopts too, keeping its device.
    const fresh = await visitorWithToken();
    const local = await identify(CHECKOUT).expect(200);
    const deviceOnly = cookieHeader(local)
      .split('; ')
      .filter((c) => !c.startsWith(`${person(KEY)}=`))
      .join('; ');
    const there = await identify(CHECKOUT, KEY, deviceOnly, fresh.token).expect(200);
    expect(there.body).toMatchObject({
      visitorId: fresh.visitorId,
      deviceId: local.body.deviceId,
      bridged: true,
    });
    expect(there.body.issued).toContain('anonymous-person');
    expect(there.body.issued).not.toContain('device');
  });

  it('exactly one of many concurrent redemptions succeeds', async () => {
    const { token } = await visitorWithToken();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => identify(CHECKOUT, KEY, '', token).expect(200)),
    );
    expect(results.filter((r) => r.body.bridged === true)).toHaveLength(1);
    expect(results.filter((r) => r.body.bridge === 'used')).toHaveLength(9);
  });

  it('wrong_target leaves the token usable where it belongs; wrong_account likewise', async () => {
    const { visitorId, token } = await visitorWithToken();
    expect((await identify(SHOP, KEY, '', token).expect(200)).body).toMatchObject({
      bridged: false,
      bridge: 'wrong_target',
    });
    expect(
      (await identify('https://pay.checkout-shop.net', KEY, '', token).expect(200)).body.bridge,
    ).toBe('wrong_target');
    expect((await identify(CHECKOUT, NEWS, '', token).expect(200)).body).toMatchObject({
      bridged: false,
      bridge: 'wrong_account',
    });
    expect((await identify(CHECKOUT, KEY, '', token).expect(200)).body).toMatchObject({
      visitorId,
      bridged: true,
    });
  });

  /** A visitor who granted consent on the shop, and a token met on the checkout by consent_required. */
  async function tokenWaitingForConsent() {
    const first = await identify(SHOP, GATED).expect(200);
    const granted = await consent(SHOP, GATED, cookieHeader(first), true).expect(200);
    const { token } = (
      await bridge(cookieHeader(first, granted), `${CHECKOUT}/`, GATED).expect(200)
    ).body as { token: string };
    tokens.push(token);
    // On the checkout, no decision yet: nothing adopted, the token kept.
    const there = await identify(CHECKOUT, GATED, '', token).expect(200);
    expect(there.body).toMatchObject({
      visitorId: null,
      bridged: false,
      bridge: 'consent_required',
    });
    return { visitorId: granted.body.visitorId as string, token, there };
  }

  it('consent_required on the target does not use the token up', async () => {
    const { visitorId, token, there } = await tokenWaitingForConsent();
    // Again before any decision: still consent_required, still unused.
    const again = await identify(CHECKOUT, GATED, cookieHeader(there), token).expect(200);
    expect(again.body).toMatchObject({ visitorId: null, bridge: 'consent_required' });
    // A grant without the token issues an id of this site's own: a later redemption keeps it.
    const yes = await consent(CHECKOUT, GATED, cookieHeader(there), true).expect(200);
    const own = yes.body.visitorId as string;
    const kept = await identify(CHECKOUT, GATED, cookieHeader(there, yes), token).expect(200);
    expect(kept.body).toMatchObject({
      visitorId: own,
      bridged: false,
      bridge: 'already_identified',
    });
    expect(own).not.toBe(visitorId);
  });

  it('a consent grant that carries the token redeems it; a denial leaves it usable', async () => {
    const { visitorId, token, there } = await tokenWaitingForConsent();
    // No: nothing redeemed, nothing adopted.
    const no = await consent(CHECKOUT, GATED, cookieHeader(there), false, token).expect(200);
    expect(no.body).toMatchObject({ visitorId: null, consent: 'denied' });
    expect(no.body.bridged).toBeUndefined();
    // Yes, with the kept token: the identity arrives with the grant.
    const yes = await consent(CHECKOUT, GATED, cookieHeader(there, no), true, token).expect(200);
    // The grant adopts the token's id (the visitor had none here), not a fresh one of its own.
    expect(yes.body).toMatchObject({ visitorId, consent: 'granted', bridged: true });
    expect(setCookie(yes, person(GATED))!.value.startsWith(`${visitorId}.`)).toBe(true);
    // Used once.
    const replay = await consent(CHECKOUT, GATED, '', true, token).expect(200);
    expect(replay.body).toMatchObject({ bridged: false, bridge: 'used' });
    expect(replay.body.visitorId).not.toBe(visitorId);
  });

  it('an expired token is refused', async () => {
    const { token } = await visitorWithToken();
    await pantry.app
      .get(UnitOfWork)
      .transaction((em) =>
        em.query(
          `UPDATE "one_time_tokens" SET "expiresAt" = 1 WHERE "id" = '${token.split('.')[0]}'`,
        ),
      );
    expect((await identify(CHECKOUT, KEY, '', token).expect(200)).body).toMatchObject({
      bridged: false,
      bridge: 'expired',
    });
  });

  it.each<[string, (t: string) => string]>([
    ['truncated', (t) => t.slice(0, -3)],
    ['extended', (t) => `${t}AAA`],
    ['bit-flipped', (t) => `${t.slice(0, 5)}${t[5] === 'A' ? 'B' : 'A'}${t.slice(6)}`],
    ['10 KB long', () => 'A'.repeat(10_000)],
    ['non-ASCII', () => 'tökén.ünïcode'],
    ['empty', () => ''],
  ])('a %s token is "invalid", nothing adopted', async (_what, mangle) => {
    const { visitorId, token } = await visitorWithToken();
    const res = await identify(CHECKOUT, KEY, '', encodeURIComponent(mangle(token))).expect(200);
    expect(res.body).toMatchObject({ bridged: false, bridge: 'invalid' });
    expect(res.body.visitorId).not.toBe(visitorId);
  });

  it('GET never redeems: the visitor API has no GET identify, and a GET page with the parameter changes nothing', async () => {
    const { token } = await visitorWithToken();
    await api()
      .get(`/unblu/v1/identify?x-unblu-apikey=${KEY}`)
      .set('x-unblu-bridge', token)
      .expect(404);
    await api()
      .get(`/?pantry_bridge=${token}`)
      .expect((res) => expect(res.status).toBeLessThan(500));
    expect((await identify(CHECKOUT, KEY, '', token).expect(200)).body.bridged).toBe(true);
  });

  describe('bad bridge requests', () => {
    let cookie = '';
    beforeAll(async () => {
      cookie = cookieHeader(await identify(SHOP).expect(200));
    });
    it.each([
      ['javascript:', 'javascript:alert(document.cookie)'],
      ['data:', 'data:text/html,<script>alert(1)</script>'],
      ['a lookalike host', 'https://www.checkout-shop.net.evil.com/cart'],
      ['userinfo', 'https://www.checkout-shop.net@evil.com/cart'],
      ['a trailing dot', 'https://www.checkout-shop.net./cart'],
      ['another origin', 'https://evil.com/'],
      ['http instead of https', 'http://www.checkout-shop.net/'],
      ['a relative URL', '/cart'],
    ])('%s: 400 bridge_target_not_allowed', async (_what, to) => {
      const res = await bridge(cookie, to).expect(400);
      expect(res.body.error).toBe('bridge_target_not_allowed');
    });
    it('an uppercase spelling of a target is the same origin', async () => {
      const res = await bridge(cookie, 'HTTPS://WWW.Checkout-Shop.NET/Cart').expect(200);
      tokens.push(res.body.token);
      expect(new URL(res.body.url).origin).toBe(CHECKOUT);
    });
    it.each([
      ['missing', undefined],
      ['not a string', 42],
      ['too long', `${CHECKOUT}/${'a'.repeat(3000)}`],
    ])('`to` %s: 400', async (_what, to) => {
      await bridge(cookie, to).expect(400);
    });
    it('from a refused origin: 403, nothing issued', async () => {
      const res = await bridge(cookie, `${CHECKOUT}/`, KEY, 'https://evil.com').expect(403);
      expect(res.body.error).toBe('origin_not_allowed');
    });
    it('without an identity (consent not given): 409 consent_required', async () => {
      const gated = await identify(SHOP, GATED).expect(200);
      const res = await bridge(cookieHeader(gated), `${CHECKOUT}/`, GATED).expect(409);
      expect(res.body.error).toBe('consent_required');
    });
  });

  it('a few hundred planted links on one visitor: each 200 already_identified, the id kept, no series or log line per token', async () => {
    const victim = await identify(CHECKOUT).expect(200);
    const victimId = victim.body.visitorId as string;
    const planted: string[] = [];
    for (let i = 0; i < 150; i++) planted.push((await visitorWithToken()).token);
    const before = logger.text.length;
    const answers = new Map<string, number>();
    for (const token of [...planted, ...planted.slice(0, 100)]) {
      const res = await identify(CHECKOUT, KEY, cookieHeader(victim), token);
      const key = `${res.status} ${String(res.body.bridge)} ${res.body.visitorId === victimId}`;
      answers.set(key, (answers.get(key) ?? 0) + 1);
    }
    // Each first time linked and used up; a second time `used`; the visitor never moved.
    expect(Object.fromEntries(answers)).toEqual({
      '200 already_identified true': 150,
      '200 used true': 100,
    });
    // The access log's one line a request (a refusal is logged at `errors`), of bounded size
    // and naming no id or token; nothing else.
    const lines = logger.text.slice(before).split('\n').filter(Boolean);
    const access = lines.filter((l) => l.includes('"msg":"request"'));
    expect(lines.length - access.length).toBeLessThanOrEqual(1);
    expect(access.length).toBeLessThanOrEqual(250);
    expect(access.every((l) => l.length < 400 && !l.includes(victimId))).toBe(true);
    for (const token of planted) expect(logger.text).not.toContain(token.split('.')[0]);
    const links = (await record('shop', victimId).expect(200)).body.links as unknown[];
    expect(links).toHaveLength(150);
    const metrics = (await api().get('/metrics').expect(200)).text;
    const series = metrics.split('\n').filter((l) => l.startsWith('pantry_bridge_total{'));
    const outcomes = new Set(series.map((l) => /outcome="([^"]+)"/.exec(l)![1]));
    expect([...outcomes].every((o) => ['issued', 'bridged', ...BRIDGE_FAILURES].includes(o))).toBe(
      true,
    );
    expect(series.length).toBeLessThanOrEqual((BRIDGE_FAILURES.length + 2) * 3);
  });

  it('never writes a token to the log', () => {
    expect(tokens.length).toBeGreaterThan(10);
    for (const token of tokens) expect(logger.text).not.toContain(token.split('.')[0]);
  });
});

describe('the bridge across an organisation’s accounts (bridge.partners)', () => {
  const api = () => pantry.http();
  const A = 'brand-a-key-01';
  const B = 'brand-b-key-01';
  const SOLO = 'solo-key-0001';
  const ONE_SIDED = 'one-sided-key-1';
  const LISTED = 'listed-key-001';
  const admin = (method: 'put' | 'delete', path: string) =>
    api()[method](`/admin/v1/accounts/${path}`).set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`);

  // The checkout is only brand-b's origin: brand-a names it as a target through the partnership.
  const checkoutSite = (key: string, extra: string[]) =>
    [
      `account.apiKeys = ${key}`,
      `server.cors.allowedOrigins = ${CHECKOUT}`,
      'consent.required = false',
      ...extra,
    ].join('\n');
  const pantry = useApp({
    accounts: {
      'brand-a': [
        `account.apiKeys = ${A}`,
        `server.cors.allowedOrigins = ${SHOP}`,
        `bridge.targets = ${CHECKOUT}`,
        'bridge.partners = brand-b, listed',
        'server.cors.corsCookieMode = LOCAL_STORAGE',
        'consent.required = false',
      ].join('\n'),
      // Another cookie mode than brand-a's.
      'brand-b': checkoutSite(B, [
        'bridge.partners = brand-a',
        'server.cors.corsCookieMode = PRODUCT_DOMAIN',
      ]),
      solo: checkoutSite(SOLO, []),
      'one-sided': checkoutSite(ONE_SIDED, ['bridge.partners = brand-a']),
      listed: checkoutSite(LISTED, []),
    },
  });

  const identify = (origin: string, key: string, cookie = '', token?: string) =>
    identifyWith(api, origin, key, cookie, token);
  async function visitorOnA() {
    const visit = await identify(SHOP, A).expect(200);
    const res = await api()
      .post(`/unblu/v1/bridge?x-unblu-apikey=${A}`)
      .set('Origin', SHOP)
      .set('Cookie', cookieHeader(visit))
      .send({ to: `${CHECKOUT}/cart` })
      .expect(200);
    return { visit, visitorId: visit.body.visitorId as string, token: res.body.token as string };
  }

  it('a token of partner A redeems on B: B adopts A’s visitor id (and its device)', async () => {
    const { visit, visitorId, token } = await visitorOnA();
    const there = await identify(CHECKOUT, B, '', token).expect(200);
    expect(there.body).toMatchObject({
      account: 'brand-b',
      visitorId,
      deviceId: visit.body.deviceId,
      bridged: true,
    });
    expect(setCookie(there, person(B))!.value.startsWith(`${visitorId}.`)).toBe(true);
    // The same person on B from now on.
    const later = await identify(CHECKOUT, B, cookieHeader(there)).expect(200);
    expect(later.body.visitorId).toBe(visitorId);
    // Recorded on both accounts.
    for (const account of ['brand-a', 'brand-b']) {
      const record = await api()
        .get(`/admin/v1/accounts/${account}/visitors/${visitorId}`)
        .set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`)
        .expect(200);
      expect(record.body.bridges).toEqual([{ from: SHOP, to: CHECKOUT, at: expect.any(String) }]);
    }
  });

  it.each([
    ['an account without partners', SOLO],
    ['an account that lists A when A does not list it', ONE_SIDED],
    ['an account A lists that does not list A', LISTED],
  ])('on %s: wrong_account, and the token stays usable on B', async (_what, key) => {
    const { visitorId, token } = await visitorOnA();
    const refused = await identify(CHECKOUT, key, '', token).expect(200);
    expect(refused.body).toMatchObject({ bridged: false, bridge: 'wrong_account' });
    expect(refused.body.visitorId).not.toBe(visitorId);
    expect((await identify(CHECKOUT, B, '', token).expect(200)).body).toMatchObject({
      visitorId,
      bridged: true,
    });
  });

  it('a visitor with an id on partner B keeps it: already_identified, linked on both accounts; deleting B removes A’s side', async () => {
    const admins = (method: 'post' | 'put' | 'delete', path: string) =>
      api()[method](`/admin/v1/accounts${path}`).set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`);
    // An API-created partner, so that it can be deleted.
    await admins('post', '').send({ id: 'brand-c' }).expect(201);
    await admins('post', '/brand-c/apikeys').send({ key: 'brand-c-key-01' }).expect(201);
    for (const [key, value] of [
      ['server.cors.allowedOrigins', CHECKOUT],
      ['consent.required', 'false'],
      ['bridge.partners', 'brand-a'],
    ]) {
      await admins('put', `/brand-c/properties/${key}`).send({ value }).expect(200);
    }
    await admins('put', '/brand-a/properties/bridge.partners')
      .send({ value: 'brand-b, listed, brand-c' })
      .expect(200);
    try {
      const { visitorId, token } = await visitorOnA();
      const local = await identify(CHECKOUT, 'brand-c-key-01').expect(200);
      const own = local.body.visitorId as string;
      const there = await identify(CHECKOUT, 'brand-c-key-01', cookieHeader(local), token).expect(
        200,
      );
      expect(there.body).toMatchObject({
        account: 'brand-c',
        visitorId: own,
        bridged: false,
        bridge: 'already_identified',
      });
      const links = async (account: string, id: string) =>
        (
          await api()
            .get(`/admin/v1/accounts/${account}/visitors/${id}`)
            .set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`)
            .expect(200)
        ).body.links as unknown[];
      const link = (account: string, id: string) => ({
        account,
        visitorId: id,
        from: SHOP,
        to: CHECKOUT,
        at: expect.any(String),
      });
      expect(await links('brand-c', own)).toEqual([link('brand-a', visitorId)]);
      expect(await links('brand-a', visitorId)).toEqual([link('brand-c', own)]);
      await admins('delete', '/brand-c').expect(204);
      expect(await links('brand-a', visitorId)).toEqual([]);
    } finally {
      await admins('delete', '/brand-a/properties/bridge.partners').expect(204);
    }
  });

  it('a partnership ended through the admin API ends the redemptions at once', async () => {
    const { token } = await visitorOnA();
    await admin('put', 'brand-b/properties/bridge.partners').send({ value: '' }).expect(200);
    try {
      expect((await identify(CHECKOUT, B, '', token).expect(200)).body.bridge).toBe(
        'wrong_account',
      );
    } finally {
      await admin('delete', 'brand-b/properties/bridge.partners').expect((r) =>
        expect(r.status).toBeLessThan(300),
      );
    }
    expect((await identify(CHECKOUT, B, '', token).expect(200)).body.bridged).toBe(true);
  });

  it('the admin API checks partners and their origins', async () => {
    const unknown = await admin('put', 'solo/properties/bridge.partners')
      .send({ value: 'nobody' })
      .expect(400);
    expect(unknown.body.message).toMatch(/names no account: "nobody"/);
    await admin('put', 'solo/properties/bridge.partners').send({ value: 'brand-a' }).expect(200);
    await admin('put', 'solo/properties/bridge.targets').send({ value: SHOP }).expect(200);
    const nowhere = await admin('put', 'solo/properties/bridge.targets')
      .send({ value: 'https://www.elsewhere.net' })
      .expect(400);
    expect(nowhere.body.message).toMatch(/neither an allowed origin.*bridge.partners/);
  });
});
