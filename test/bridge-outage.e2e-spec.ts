import { chmodSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { pgCtl } from './helpers/postgres';
import { identifyWith } from './helpers/bridge-calls';
import { cookieHeader, setCookie } from './helpers/cookies';
import { ServerProcess, startServerProcess } from './helpers/server-process';
import { createWorkspace, TEST_ADMIN_TOKEN, TestWorkspace } from './helpers/test-app';

jest.setTimeout(120_000);

const KEY = 'shop-key-0001';
const GATED = 'gated-key-001';
const SHOP = 'https://www.shop.com';
const CHECKOUT = 'https://www.checkout-shop.net';
const person = (key: string) => `x-unblu-${key}-anonymous-person`;
const onPostgres = process.env.PANTRY_TEST_DB === 'postgres';

/**
 * SPEC §10: while the database cannot be written, identify (and the consent grant) with a
 * bridge header answers as without it, `"bridged":false,"bridge":"unavailable"`, and the token
 * stays unused: it redeems once the database is back. A real process on the project database:
 * on SQLite the file made read-only or deleted under it, on PostgreSQL the cluster stopped.
 */
describe('the bridge while the database cannot be written (a real process)', () => {
  let ws: TestWorkspace;
  let server: ServerProcess;
  let base: string;
  const api = () => request(base);

  beforeAll(async () => {
    const site = (key: string, extra: string[]) =>
      [
        `account.apiKeys = ${key}`,
        `server.cors.allowedOrigins = ${SHOP}, ${CHECKOUT}`,
        `bridge.targets = ${CHECKOUT}`,
        'server.cors.corsCookieMode = LOCAL_STORAGE',
        ...extra,
      ].join('\n');
    ws = createWorkspace({
      accounts: { shop: site(KEY, ['consent.required = false']), gated: site(GATED, []) },
    });
    server = startServerProcess({
      PANTRY_CONFIG_DIR: ws.configDir,
      PANTRY_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    });
    base = await server.listening;
  });
  afterAll(async () => {
    await server?.stop();
    ws?.remove();
  });

  const identify = (origin: string, key: string, cookie = '', token?: string) =>
    identifyWith(api, origin, key, cookie, token);
  const consent = (cookie: string, token: string) =>
    api()
      .post(`/unblu/v1/consent?x-unblu-apikey=${GATED}`)
      .set('Origin', CHECKOUT)
      .set('Cookie', cookie)
      .set('x-unblu-bridge', token)
      .send({ granted: true });
  const issue = (key: string, cookie: string) =>
    api()
      .post(`/unblu/v1/bridge?x-unblu-apikey=${key}`)
      .set('Origin', SHOP)
      .set('Cookie', cookie)
      .send({ to: `${CHECKOUT}/cart` });

  /** A shop visitor and its token; a gated visitor's token that met consent_required there. */
  async function tokens() {
    const shop = await identify(SHOP, KEY).expect(200);
    const shopToken = (await issue(KEY, cookieHeader(shop)).expect(200)).body.token as string;
    const first = await identify(SHOP, GATED).expect(200);
    const yes = await api()
      .post(`/unblu/v1/consent?x-unblu-apikey=${GATED}`)
      .set('Origin', SHOP)
      .set('Cookie', cookieHeader(first))
      .send({ granted: true })
      .expect(200);
    const gatedToken = (await issue(GATED, cookieHeader(first, yes)).expect(200)).body
      .token as string;
    const waiting = await identify(CHECKOUT, GATED, '', gatedToken).expect(200);
    expect(waiting.body).toMatchObject({ visitorId: null, bridge: 'consent_required' });
    return {
      shopId: shop.body.visitorId as string,
      shopCookie: cookieHeader(shop),
      shopToken,
      gatedId: yes.body.visitorId as string,
      gatedToken,
      waiting: cookieHeader(waiting),
    };
  }

  const health = async () => (await api().get('/health')).status;
  async function until(what: () => Promise<boolean>, ms = 20_000) {
    const end = Date.now() + ms;
    while (!(await what())) {
      if (Date.now() > end) throw new Error(`not within ${ms} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function throughOutage(outage: { start(): void; end(): void }) {
    const t = await tokens();
    outage.start();
    try {
      await until(async () => (await health()) === 503);
      // identify with the header answers as without it: a visitor with an identity of its own.
      const there = await identify(CHECKOUT, KEY, '', t.shopToken).expect(200);
      expect(there.body).toMatchObject({ bridged: false, bridge: 'unavailable' });
      expect(there.body.visitorId).toEqual(expect.any(String));
      expect(there.body.visitorId).not.toBe(t.shopId);
      expect(setCookie(there, person(KEY))!.value.startsWith(`${there.body.visitorId}.`)).toBe(
        true,
      );
      // The consent grant that carries a waiting token: granted, an identity, the token unused.
      const granted = await consent(t.waiting, t.gatedToken).expect(200);
      expect(granted.body).toMatchObject({
        consent: 'granted',
        bridged: false,
        bridge: 'unavailable',
      });
      expect(granted.body.visitorId).toEqual(expect.any(String));
      expect(granted.body.visitorId).not.toBe(t.gatedId);
      // A new token is a write: refused as one, never a token that was not stored.
      const refused = await issue(KEY, t.shopCookie).expect(503);
      expect(refused.body.error).toBe('database_unavailable');
      // A few hundred bridge headers in the outage: every one answered 200 unavailable or invalid.
      const statuses = new Map<string, number>();
      for (let i = 0; i < 300; i++) {
        const token = i % 3 === 0 ? t.shopToken : `${t.shopToken.slice(0, 20)}x${i}`;
        const res = await identify(CHECKOUT, KEY, '', token);
        const key = `${res.status} ${String(res.body.bridge)}`;
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
      }
      expect(Object.fromEntries(statuses)).toEqual({ '200 unavailable': 100, '200 invalid': 200 });
    } finally {
      outage.end();
    }
    await until(async () => (await health()) === 200);
    // The tokens were not used: a fresh browser adopts each now.
    expect((await identify(CHECKOUT, KEY, '', t.shopToken).expect(200)).body).toMatchObject({
      visitorId: t.shopId,
      bridged: true,
    });
    expect((await consent('', t.gatedToken).expect(200)).body).toMatchObject({
      visitorId: t.gatedId,
      consent: 'granted',
      bridged: true,
    });
  }

  const file = () => join(ws.dataDir, 'pantry.sqlite');
  (onPostgres ? it.skip : it)('SQLite, the file made read-only', async () => {
    await throughOutage({
      start: () => chmodSync(file(), 0o444),
      end: () => chmodSync(file(), 0o644),
    });
  });

  (onPostgres ? it.skip : it)('SQLite, the file deleted (moved away, then back)', async () => {
    await throughOutage({
      start: () => renameSync(file(), `${file()}.aside`),
      end: () => renameSync(`${file()}.aside`, file()),
    });
  });

  (onPostgres ? it : it.skip)('PostgreSQL, the cluster stopped', async () => {
    const dir = process.env.PANTRY_TEST_PG_DIR!;
    const port = Number(process.env.PANTRY_TEST_PG_PORT);
    await throughOutage({
      start: () => pgCtl(dir, 'stop', port),
      end: () => pgCtl(dir, 'start', port),
    });
  });

  it('the outage left no stack, no token, and one bridge series per outcome', async () => {
    const output = server.output();
    expect(output).not.toMatch(/\n\s+at /);
    expect(output).not.toMatch(/pantry_bridge=|x-unblu-bridge: /);
    const metrics = (await api().get('/metrics').expect(200)).text;
    const series = metrics.split('\n').filter((l) => l.startsWith('pantry_bridge_total{'));
    const outcomes = series.map((l) => /outcome="([^"]+)"/.exec(l)![1]);
    expect(new Set(outcomes)).toEqual(
      new Set(['issued', 'bridged', 'consent_required', 'unavailable', 'invalid']),
    );
    expect(series.length).toBeLessThanOrEqual(2 * 5);
  });
});
