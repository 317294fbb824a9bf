import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { runInNewContext } from 'node:vm';
import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { AccessLogService } from '../src/http/access-log';
import { KeptCookieEntity } from '../src/keeper/kept-cookie.entity';
import { JsonLogger } from '../src/logging/json-logger';
import { KeeperService } from '../src/keeper/keeper.service';
import { cookieHeader, setCookie, setCookies } from './helpers/cookies';
import { CaptureLogger } from './helpers/capture-logger';
import { rawRequest } from './helpers/raw-http';
import { openDatabase, TEST_ADMIN_TOKEN, useApp, useApps } from './helpers/test-app';

/*
 * The cookie keeper (SPEC §14) through the real app: learnt from same-site requests, set again
 * by Set-Cookie on identify, consent and keep.js (refreshed, restored, derived), deleted on a
 * revocation and by erasure, never for junk, never cross-site.
 */
const SHOP = 'shop-key-0001';
const DERIVE = 'derive-key-0001';
const CONSENT = 'consent-key-0001';
const STORAGE = 'storage-key-0001';
const n = (key: string, cookie: string) => `x-unblu-${key}-${cookie}`;
const GA = 'GA1.1.1234567890.1700000000';
const AJS = '0b7f3c52-3f0e-4f6e-9a43-5c1d2f9e8a10';
const MAX_AGE = '34560000';
/** An account keeping `_ga` only, without consent (the shutdown and access-log suites'). */
const GA_SHOP = [
  `account.apiKeys = ${SHOP}`,
  'consent.required = false',
  'keeper.cookies = ga',
].join('\n');

describe('cookie keeper', () => {
  const pantry = useApp({
    app: 'server.trustProxy = true',
    accounts: {
      shop: [
        `account.apiKeys = ${SHOP}`,
        'server.cors.allowedOrigins = https://www.shop.test, https://www.other.test',
        'consent.required = false',
        'keeper.cookies = ga, segment, posthog, snowplow, cookie:site_uid',
      ].join('\n'),
      derive: [
        `account.apiKeys = ${DERIVE}`,
        'consent.required = false',
        'keeper.cookies = ga, segment, rudderstack, treasuredata',
        'keeper.derive = true',
      ].join('\n'),
      consent: [`account.apiKeys = ${CONSENT}`, 'keeper.cookies = ga, segment'].join('\n'),
      storage: [
        `account.apiKeys = ${STORAGE}`,
        'server.cors.allowedOrigins = https://www.shop.test',
        'server.cors.corsCookieMode = LOCAL_STORAGE',
        'consent.required = false',
        'keeper.cookies = ga',
      ].join('\n'),
    },
  });

  /** identify on the page's own host (the same-origin path mode), over HTTPS at the proxy. */
  const identify = (key: string, cookie?: string, host = 'www.shop.test') => {
    const r = pantry
      .http()
      .post(`/unblu/v1/identify?x-unblu-apikey=${key}`)
      .set('Host', host)
      .set('X-Forwarded-Proto', 'https');
    return cookie ? r.set('Cookie', cookie) : r;
  };
  const consent = (key: string, granted: boolean, cookie: string) =>
    pantry
      .http()
      .post(`/unblu/v1/consent?x-unblu-apikey=${key}`)
      .set('Host', 'www.shop.test')
      .set('X-Forwarded-Proto', 'https')
      .set('Cookie', cookie)
      .send({ granted });
  const keeper = () => pantry.app.get(KeeperService);
  const stored = async (visitorId: string) => {
    await keeper().flush();
    const rows = await pantry.app
      .get(DataSource)
      .getRepository(KeptCookieEntity)
      .find({ where: { visitorId }, order: { name: 'ASC' } });
    return rows.map((r) => [r.name, r.value]);
  };
  const kept = (res: Response) => setCookies(res).filter((c) => !c.name.startsWith('x-unblu-'));
  /** A returning visitor of `key`: its Pantry cookies. */
  const visitor = async (key: string) => {
    const first = await identify(key).expect(200);
    return { pantry: cookieHeader(first), visitorId: first.body.visitorId as string };
  };

  it('learns the kept cookies a same-site identify carries and refreshes them', async () => {
    const v = await visitor(SHOP);
    const res = await identify(SHOP, `${v.pantry}; _ga=${GA}; ajs_anonymous_id=${AJS}; other=1`);
    expect(kept(res).map((c) => [c.name, c.value])).toEqual([
      ['_ga', GA],
      ['ajs_anonymous_id', AJS],
    ]);
    expect(await stored(v.visitorId)).toEqual([
      ['_ga', GA],
      ['ajs_anonymous_id', AJS],
    ]);
  });

  it('a page view repeating its Cookie header sets the same again; a new value is learnt', async () => {
    const v = await visitor(SHOP);
    const jar = `${v.pantry}; _ga=${GA}`;
    const lines = async (cookie: string) =>
      kept(await identify(SHOP, cookie).expect(200)).map((c) => c.raw);
    const first = await lines(jar);
    expect(first).toHaveLength(1);
    expect(await lines(jar)).toEqual(first);
    const newer = 'GA1.1.1234567890.1800000000';
    expect(await lines(`${v.pantry}; _ga=${newer}`)).toEqual([expect.stringContaining(newer)]);
    expect(await stored(v.visitorId)).toEqual([['_ga', newer]]);
    // The old header again (another tab): its value is learnt again, not a remembered refresh.
    expect(await lines(jar)).toEqual(first);
    expect(await stored(v.visitorId)).toEqual([['_ga', GA]]);
  });

  it('restores a lost kept cookie by Set-Cookie: 400 days, Path=/, the registrable domain, Lax, not HttpOnly', async () => {
    const v = await visitor(SHOP);
    await identify(SHOP, `${v.pantry}; _ga=${GA}; ajs_anonymous_id=${AJS}`).expect(200);
    await keeper().flush();
    // Safari's 7 days: the scripts' cookies are gone, Pantry's HttpOnly ones stay.
    const res = await identify(SHOP, v.pantry).expect(200);
    const ga = setCookie(res, '_ga')!;
    expect(ga.value).toBe(GA);
    expect(ga.attributes).toEqual({
      'max-age': MAX_AGE,
      path: '/',
      domain: 'shop.test',
      samesite: 'Lax',
      secure: true,
    });
    expect(setCookie(res, 'ajs_anonymous_id')!.value).toBe(AJS);
    expect(res.body.visitorId).toBe(v.visitorId);
  });

  it('restores on another subdomain of the site (subdomain mode, an allowed same-site origin)', async () => {
    const v = await visitor(SHOP);
    await identify(SHOP, `${v.pantry}; _ga=${GA}`).expect(200);
    const res = await identify(SHOP, v.pantry, 'cookies.shop.test')
      .set('Origin', 'https://www.shop.test')
      .expect(200);
    expect(setCookie(res, '_ga')).toMatchObject({ value: GA, attributes: { domain: 'shop.test' } });
  });

  it('keeps nothing cross-site: an allowed origin of another site, and a storage mode', async () => {
    const v = await visitor(SHOP);
    await identify(SHOP, `${v.pantry}; _ga=${GA}`).expect(200);
    const crossSite = await identify(
      SHOP,
      `${v.pantry}; ajs_anonymous_id=${AJS}`,
      'cookies.shop.test',
    )
      .set('Origin', 'https://www.other.test')
      .expect(200);
    expect(kept(crossSite)).toEqual([]);
    expect(await stored(v.visitorId)).toEqual([['_ga', GA]]);

    const s = await visitor(STORAGE);
    const storage = await identify(STORAGE, `${s.pantry}; _ga=${GA}`).expect(200);
    expect(kept(storage)).toEqual([]);
    expect(await stored(s.visitorId)).toEqual([]);
  });

  it('derives a fresh visitor’s SDK cookies from its Pantry id (keeper.derive)', async () => {
    const res = await identify(DERIVE).expect(200);
    const id = res.body.visitorId as string;
    expect(setCookie(res, 'ajs_anonymous_id')!.value).toBe(id);
    expect(setCookie(res, '_td')!.value).toBe(id);
    const rl = decodeURIComponent(setCookie(res, 'rl_anonymous_id')!.value);
    expect(JSON.parse(Buffer.from(rl.replace('RS_ENC_v3_', ''), 'base64').toString())).toBe(id);
    expect(setCookie(res, '_ga')!.value).toMatch(/^GA1\.1\.\d{1,10}\.\d{10}$/);
    // Stored: the same values come back after the browser lost them.
    const again = await identify(DERIVE, cookieHeader(res)).expect(200);
    expect(kept(again).map((c) => c.value)).toEqual(kept(res).map((c) => c.value));
    const lost = await identify(
      DERIVE,
      cookieHeader(res)
        .split('; ')
        .filter((c) => c.startsWith('x-unblu-'))
        .join('; '),
    ).expect(200);
    expect(new Set(kept(lost).map((c) => `${c.name}=${c.value}`))).toEqual(
      new Set(kept(res).map((c) => `${c.name}=${c.value}`)),
    );
  });

  it('consent: kept only once granted; a revocation deletes them in the browser and in storage', async () => {
    const unset = await identify(CONSENT, `_ga=${GA}`).expect(200);
    expect(unset.body.consent).toBe('unset');
    expect(kept(unset)).toEqual([]);

    const granted = await consent(CONSENT, true, `_ga=${GA}`).expect(200);
    const visitorId = granted.body.visitorId as string;
    expect(setCookie(granted, '_ga')!.value).toBe(GA);
    const withAjs = `${cookieHeader(granted)}; ajs_anonymous_id=${AJS}`;
    await identify(CONSENT, withAjs).expect(200);
    expect((await stored(visitorId)).map(([name]) => name)).toEqual(['_ga', 'ajs_anonymous_id']);

    // The browser still has _ga only: ajs_anonymous_id is deleted too (it was stored).
    const revoked = await consent(CONSENT, false, `${cookieHeader(granted)}`).expect(200);
    const deletions = kept(revoked).map((c) => [c.name, c.value, c.attributes['max-age']]);
    expect(deletions.sort()).toEqual([
      ['_ga', '', '0'],
      ['ajs_anonymous_id', '', '0'],
    ]);
    expect(await stored(visitorId)).toEqual([]);
    // Denied: a kept cookie that comes back is deleted again, never stored.
    const denied = await identify(CONSENT, `${cookieHeader(granted, revoked)}; _ga=${GA}`).expect(
      200,
    );
    expect(kept(denied).map((c) => [c.name, c.attributes['max-age']])).toEqual([['_ga', '0']]);
    expect(await stored(visitorId)).toEqual([]);
  });

  it('erasing the visitor deletes its kept cookies; the browser that comes back gets none restored', async () => {
    const v = await visitor(SHOP);
    await identify(SHOP, `${v.pantry}; _ga=${GA}`).expect(200);
    await keeper().flush();
    const record = await pantry
      .http()
      .get(`/admin/v1/accounts/shop/visitors/${v.visitorId}`)
      .set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`)
      .expect(200);
    expect(record.body.keptCookies).toEqual(['_ga']);
    expect(JSON.stringify(record.body)).not.toContain(GA);
    await pantry
      .http()
      .delete(`/admin/v1/accounts/shop/visitors/${v.visitorId}`)
      .set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`)
      .expect(204);
    expect(await stored(v.visitorId)).toEqual([]);
    const back = await identify(SHOP, v.pantry).expect(200);
    expect(back.body.visitorId).not.toBe(v.visitorId);
    expect(kept(back)).toEqual([]);
  });

  describe('the admin API says where it keeps nothing', () => {
    const admin = (path: string) =>
      pantry
        .http()
        .get(`/admin/v1/accounts/${path}`)
        .set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`)
        .expect(200);
    it.each([
      ['a LOCAL_STORAGE account', 'storage', 'https://www.shop.test/', '', false],
      ['a cross-site server', 'shop', 'https://www.shop.test/', 'https://pantry.saas.test', false],
      ['the same-origin path mode', 'shop', 'http://127.0.0.1/', '', true],
    ])('diagnosis: %s', async (_what, account, page, server, keeps) => {
      const query = `page=${encodeURIComponent(page)}${server ? `&server=${encodeURIComponent(server)}` : ''}`;
      const res = await admin(`${account}/diagnostics?${query}`);
      expect(res.body.keeper).toMatchObject({
        keeps,
        message: keeps ? expect.stringMatching(/restores/) : expect.stringMatching(/keeps nothing/),
      });
    });

    it('the effective properties of a LOCAL_STORAGE account note that keeper.cookies keeps nothing', async () => {
      const views = (await admin('storage/properties')).body as Array<{
        key: string;
        note?: string;
      }>;
      expect(views.find((v) => v.key === 'keeper.cookies')?.note).toMatch(/keeps nothing/);
      const shop = (await admin('shop/properties')).body as Array<{ key: string; note?: string }>;
      expect(shop.find((v) => v.key === 'keeper.cookies')?.note).toBeUndefined();
    });
  });

  describe('hostile values', () => {
    it('never stores nor sets an oversized, malformed or non-ASCII value', async () => {
      const v = await visitor(SHOP);
      const junk = [
        `_ga=GA1.1.${'1'.repeat(3000)}.1`,
        'ajs_anonymous_id=a"b',
        `site_uid=${'x'.repeat(2049)}`,
      ].join('; ');
      const res = await identify(SHOP, `${v.pantry}; ${junk}`).expect(200);
      expect(kept(res)).toEqual([]);
      await pantry.app.listen(0, '127.0.0.1');
      const port = (pantry.app.getHttpServer().address() as AddressInfo).port;
      // Non-ASCII, a bare CR (a header-splitting attempt) and a tab inside the value.
      for (const value of ['GA1.1.1\u00e9.1', 'GA1.1.1.1\rX-Injected: 1', 'GA1.1.1.1\tx']) {
        const answer = await rawRequest(
          port,
          `POST /unblu/v1/identify?x-unblu-apikey=${SHOP} HTTP/1.1\r\nHost: www.shop.test\r\n` +
            `Cookie: ${v.pantry}; _ga=${value}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
        );
        expect(answer.status).toBeLessThan(500);
        expect(answer.headers['set-cookie'] ?? '').not.toMatch(/_ga=/);
        expect(answer.text).not.toMatch(/X-Injected/i);
      }
      expect(await stored(v.visitorId)).toEqual([]);
    });

    it('bounds 200 cookies matching a wildcard adapter to 16, set and stored', async () => {
      const v = await visitor(SHOP);
      // Snowplow's _sp_id.<4 hex>: short enough for 200 in one Cookie header.
      const sp = (i: number) => `_sp_id.${i.toString(16).padStart(4, '0')}=0b7f3c52.1.1.1`;
      const many = Array.from({ length: 200 }, (_, i) => sp(i)).join('; ');
      const res = await identify(SHOP, `${v.pantry}; ${many}`).expect(200);
      expect(kept(res)).toHaveLength(16);
      expect(await stored(v.visitorId)).toHaveLength(16);
      // More names on later requests: the newest 16 are kept.
      await new Promise((r) => setTimeout(r, 5));
      const more = Array.from({ length: 16 }, (_, i) => sp(0x1000 + i)).join('; ');
      await identify(SHOP, `${v.pantry}; ${more}`).expect(200);
      const names = (await stored(v.visitorId)).map(([name]) => name);
      expect(names).toHaveLength(16);
      expect(names.every((name) => name.startsWith('_sp_id.1'))).toBe(true);
    });
  });

  describe('GET /unblu/v1/keep.js', () => {
    const keep = (key: string, cookie?: string) => {
      const r = pantry
        .http()
        .get(`/unblu/v1/keep.js?x-unblu-apikey=${key}`)
        .set('Host', 'www.shop.test')
        .set('X-Forwarded-Proto', 'https');
      return cookie ? r.set('Cookie', cookie) : r;
    };

    it('does what identify does, restores kept cookies, and hands identify’s answer to the snippet', async () => {
      const v = await visitor(SHOP);
      await identify(SHOP, `${v.pantry}; _ga=${GA}`).expect(200);
      const res = await keep(SHOP, v.pantry).expect(200);
      expect(res.headers['content-type']).toMatch(/^application\/javascript/);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(setCookie(res, '_ga')!.value).toBe(GA);
      expect(setCookie(res, n(SHOP, 'anonymous-person'))).toBeDefined();
      const w: Record<string, { k: string; a: { visitorId: string } }> = {};
      runInNewContext(res.text, { window: w });
      expect(w['x-unblu-keep']).toMatchObject({ k: SHOP, a: { visitorId: v.visitorId } });
    });

    it('a new visitor gets its cookies from keep.js', async () => {
      const res = await keep(SHOP).expect(200);
      expect(setCookie(res, n(SHOP, 'anonymous-person'))).toBeDefined();
    });

    it('an unknown key: a script that warns and sets nothing', async () => {
      const res = await keep('no-such-key').expect(200);
      expect(res.headers['content-type']).toMatch(/^application\/javascript/);
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(res.text).toMatch(/console\.warn/);
      expect(res.text).not.toMatch(/x-unblu-keep/);
    });

    it('loaded by another site (Sec-Fetch-Site: cross-site): keeps nothing', async () => {
      const v = await visitor(SHOP);
      await identify(SHOP, `${v.pantry}; _ga=${GA}`).expect(200);
      const res = await keep(SHOP, v.pantry).set('Sec-Fetch-Site', 'cross-site').expect(200);
      expect(kept(res)).toEqual([]);
    });

    it('is counted as its own route, and the keeper’s cookies by adapter and outcome', async () => {
      const metrics = (await pantry.http().get('/metrics').expect(200)).text;
      expect(metrics).toMatch(
        /pantry_http_requests_total\{route="\/unblu\/v1\/keep\.js",method="GET",status="200"\} \d+/,
      );
      for (const outcome of ['kept', 'restored', 'derived']) {
        expect(metrics).toMatch(
          new RegExp(
            `pantry_keeper_cookies_total\\{adapter="[a-z]+",outcome="${outcome}",account="-"\\} \\d+`,
          ),
        );
      }
      expect(metrics).toMatch(
        /pantry_keeper_cookies_total\{adapter="ga",outcome="restored",account="-"\} [1-9]/,
      );
    });
  });
});

describe('cookie keeper in document mode', () => {
  let upstream: Server;
  let upstreamPort = 0;
  beforeAll(async () => {
    upstream = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html', 'set-cookie': 'site=1; Path=/' });
      res.end('<p>page</p>');
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    upstreamPort = (upstream.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((r) => upstream.close(r)));
  const pantry = useApp(() => ({
    accounts: {
      site: [
        'account.apiKeys = site-key-0001',
        'proxy.hosts = www.site.test',
        `proxy.upstream = http://127.0.0.1:${upstreamPort}`,
        'identifier.cookieSecureFlag = false',
        'consent.required = false',
        'keeper.cookies = ga',
      ].join('\n'),
    },
  }));
  const page = (cookie?: string) => {
    const r = pantry.http().get('/products').set('Host', 'www.site.test');
    return cookie ? r.set('Cookie', cookie) : r;
  };

  it('the document’s own response learns, refreshes and restores the kept cookies', async () => {
    const first = await page().expect(200);
    expect(first.text).toContain('<p>page</p>');
    const own = cookieHeader(first)
      .split('; ')
      .filter((c) => c.startsWith('x-unblu-'))
      .join('; ');
    const refreshed = await page(`${own}; _ga=${GA}`).expect(200);
    expect(setCookie(refreshed, '_ga')).toMatchObject({
      value: GA,
      attributes: { 'max-age': MAX_AGE, domain: 'site.test', path: '/' },
    });
    expect(setCookie(refreshed, 'site')).toBeDefined();
    await pantry.app.get(KeeperService).flush();
    const restored = await page(own).expect(200);
    expect(setCookie(restored, '_ga')?.value).toBe(GA);
    expect(restored.text).toContain('<p>page</p>');
  });
});

describe('cookie keeper at shutdown', () => {
  const apps = useApps();

  it('writes what it learnt before the node stops, and warns of nothing', async () => {
    const logger = new CaptureLogger();
    const node = await apps.start(
      {
        accounts: {
          shop: GA_SHOP,
        },
      },
      { logger },
    );
    const call = (cookie?: string) => {
      const r = node
        .http()
        .post(`/unblu/v1/identify?x-unblu-apikey=${SHOP}`)
        .set('Host', 'www.shop.test');
      return cookie ? r.set('Cookie', cookie) : r;
    };
    const first = await call().expect(200);
    await call(`${cookieHeader(first)}; _ga=${GA}`).expect(200);
    await node.app.close();
    const ds = await openDatabase(node.ws);
    try {
      const rows = await ds.getRepository(KeptCookieEntity).find();
      expect(rows.map((r) => [r.visitorId, r.name, r.value])).toEqual([
        [first.body.visitorId, '_ga', GA],
      ]);
      expect(logger.lines.filter((l) => /^(warn|error)/.test(l))).toEqual([]);
      expect(logger.text).not.toContain(GA);
    } finally {
      await ds.destroy();
    }
  });
});

describe('keep.js in the access log', () => {
  const apps = useApps();

  it('is logged as its own route with identify’s outcome, a refusal with its code, no value', async () => {
    let output = '';
    const logger = new JsonLogger(
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          output += chunk.toString('utf8');
          done();
        },
      }),
    );
    const node = await apps.start(
      {
        app: 'server.accessLog = all',
        accounts: {
          shop: GA_SHOP,
        },
      },
      { logger },
    );
    const keep = (key: string) =>
      node
        .http()
        .get(`/unblu/v1/keep.js?x-unblu-apikey=${key}`)
        .set('Host', 'www.shop.test')
        .set('Cookie', `_ga=${GA}`)
        .expect(200);
    await keep(SHOP);
    await keep('no-such-key');
    node.app.get(AccessLogService).flush();
    const lines = output
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg: string; route: string; outcome: string })
      .filter((l) => l.msg === 'request');
    expect(lines.map((l) => [l.route, l.outcome])).toEqual([
      ['/unblu/v1/keep.js', 'issued'],
      ['/unblu/v1/keep.js', 'unknown_api_key'],
    ]);
    expect(output).not.toContain(GA);
    expect(output).not.toContain(SHOP);
  });
});
