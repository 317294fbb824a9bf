import request from 'supertest';
import { DataSource } from 'typeorm';
import { VisitorRegistryService } from '../src/registry/visitor-registry.service';
import { VisitorRepository } from '../src/registry/visitor.repository';
import { TenantService } from '../src/tenants/tenant.service';
import type { VisitOutcome } from '../src/visitor/visitor-outcome';
import { VisitorService } from '../src/visitor/visitor.service';
import { cookieHeader, echoFromRelay, relay, setCookie, setCookies } from './helpers/cookies';
import { TEST_ADMIN_TOKEN, useApp } from './helpers/test-app';

const SHOP = 'shop-key-0001';
const NEWS = 'news-key-0001';
const n = (key: string, cookie: string) => `x-unblu-${key}-${cookie}`;

describe('POST /unblu/v1/identify', () => {
  const post = (key = SHOP, host = 'cookies.shop.com') =>
    pantry.http().post(`/unblu/v1/identify?x-unblu-apikey=${key}`).set('Host', host);

  const pantry = useApp({
    // Behind a TLS-terminating proxy: X-Forwarded-Proto tells the scheme of the server's origin.
    app: 'server.trustProxy = true',
    accounts: {
      shop: [
        `account.apiKeys = ${SHOP}, shop-key-0002`,
        'identifier.cookieDomain = AUTO',
        'server.cors.allowedOrigins = https://www.shop.com, https://*.partner.io',
        'server.cors.corsCookieMode = LOCAL_STORAGE',
        'consent.required = false',
      ].join('\n'),
      news: [
        `account.apiKeys = ${NEWS}`,
        'server.cors.allowedOrigins = https://www.shop.com',
        'consent.required = false',
      ].join('\n'),
    },
  });

  describe('a new visitor, same-origin (no Origin header)', () => {
    let res: request.Response;
    beforeAll(async () => {
      res = await post().expect(200);
    });

    it('issues device, anonymous-person and session cookies and answers the ids', () => {
      expect(res.body).toEqual({
        account: 'shop',
        visitorId: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
        deviceId: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
        sessionId: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
        consent: 'unset',
        issued: ['device', 'anonymous-person', 'session'],
      });
      expect(setCookies(res).map((c) => c.name)).toEqual([
        n(SHOP, 'device'),
        n(SHOP, 'anonymous-person'),
        n(SHOP, 'session'),
      ]);
    });

    it('sets signed, URL-safe values bound to the ids, well under 4096 bytes', () => {
      for (const c of setCookies(res)) {
        expect(c.value).toMatch(/^[A-Za-z0-9._-]+$/);
        expect(c.raw.length).toBeLessThan(300);
      }
      expect(setCookie(res, n(SHOP, 'anonymous-person'))!.value.split('.')[0]).toBe(
        res.body.visitorId,
      );
    });

    it('sets HttpOnly, Secure, Path, Lax, Max-Age capped at 400 days, AUTO domain of the server host', () => {
      const device = setCookie(res, n(SHOP, 'device'))!;
      expect(device.attributes).toEqual({
        'max-age': '34560000',
        domain: 'shop.com',
        path: '/',
        httponly: true,
        secure: true,
        samesite: 'Lax',
      });
      const session = setCookie(res, n(SHOP, 'session'))!;
      expect(session.attributes['max-age']).toBeUndefined();
      expect(session.attributes.expires).toBeUndefined();
    });

    it('sends no CORS grant and no relay header', () => {
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      expect(res.headers['x-unblu-set-cookie']).toBeUndefined();
      expect(res.headers['cache-control']).toBe('no-store');
    });
  });

  describe('a returning visitor', () => {
    it('keeps its ids by Cookie, refreshes durable cookies and does not resend the session', async () => {
      const first = await post().expect(200);
      const again = await post().set('Cookie', cookieHeader(first)).expect(200);
      expect(again.body).toMatchObject({
        visitorId: first.body.visitorId,
        deviceId: first.body.deviceId,
        sessionId: first.body.sessionId,
        issued: [],
      });
      expect(setCookies(again).map((c) => c.name)).toEqual([
        n(SHOP, 'device'),
        n(SHOP, 'anonymous-person'),
      ]);
      expect(setCookie(again, n(SHOP, 'device'))!.attributes['max-age']).toBe('34560000');
    });

    it('keeps its ids by the echo header alone (cross-origin, cookies blocked)', async () => {
      const first = await post().set('Origin', 'https://www.shop.com').expect(200);
      const again = await post()
        .set('Origin', 'https://www.shop.com')
        .set('x-unblu-cookie', echoFromRelay(relay(first)))
        .expect(200);
      expect(again.body.visitorId).toBe(first.body.visitorId);
      expect(again.body.sessionId).toBe(first.body.sessionId);
    });

    it('prefers a valid Cookie over the echo header, and skips invalid values', async () => {
      const a = await post().expect(200);
      const b = await post().expect(200);
      const viaBoth = await post()
        .set('Cookie', `${n(SHOP, 'anonymous-person')}=forged.value; ${cookieHeader(a)}`)
        .set('x-unblu-cookie', cookieHeader(b))
        .expect(200);
      expect(viaBoth.body.visitorId).toBe(a.body.visitorId);
      const echoWins = await post()
        .set('Cookie', `${n(SHOP, 'anonymous-person')}=forged.value`)
        .set('x-unblu-cookie', cookieHeader(b))
        .expect(200);
      expect(echoWins.body.visitorId).toBe(b.body.visitorId);
    });

    it('is the same visitor under another API key of the same account (names differ)', async () => {
      const first = await post('shop-key-0002').expect(200);
      expect(setCookie(first, n('shop-key-0002', 'session'))).toBeDefined();
      const again = await post('shop-key-0002').set('Cookie', cookieHeader(first)).expect(200);
      expect(again.body.visitorId).toBe(first.body.visitorId);
    });
  });

  describe('tampering and foreign values', () => {
    it.each([
      ['a changed id', (v: string) => `${v.startsWith('A') ? 'B' : 'A'}${v.slice(1)}`],
      ['a changed signature', (v: string) => `${v.slice(0, -2)}${v.endsWith('AA') ? 'BB' : 'AA'}`],
      ['a truncated value', (v: string) => v.slice(0, 10)],
      ['an unsigned id', (v: string) => v.split('.')[0]],
    ])('replaces %s with a new id', async (_what, tamper) => {
      const first = await post().expect(200);
      const value = setCookie(first, n(SHOP, 'anonymous-person'))!.value;
      const again = await post()
        .set('Cookie', `${n(SHOP, 'anonymous-person')}=${tamper(value)}`)
        .expect(200);
      expect(again.body.visitorId).not.toBe(first.body.visitorId);
      expect(again.body.issued).toContain('anonymous-person');
    });

    it("refuses another account's value presented under this account's name", async () => {
      const news = await post(NEWS).expect(200);
      const foreign = setCookie(news, n(NEWS, 'anonymous-person'))!.value;
      const shop = await post()
        .set('Cookie', `${n(SHOP, 'anonymous-person')}=${foreign}`)
        .expect(200);
      expect(shop.body.visitorId).not.toBe(news.body.visitorId);
    });

    it('refuses a value signed for another cookie of the same account', async () => {
      const first = await post().expect(200);
      const device = setCookie(first, n(SHOP, 'device'))!.value;
      const again = await post()
        .set('Cookie', `${n(SHOP, 'anonymous-person')}=${device}`)
        .expect(200);
      expect(again.body.visitorId).not.toBe(first.body.deviceId);
    });

    it('replaces the cookies of an erased visitor', async () => {
      const first = await post().expect(200);
      pantry.app
        .get(VisitorRegistryService)
        .markErased('shop', [first.body.visitorId, first.body.deviceId]);
      const again = await post().set('Cookie', cookieHeader(first)).expect(200);
      expect(again.body.visitorId).not.toBe(first.body.visitorId);
      expect(again.body.deviceId).not.toBe(first.body.deviceId);
      expect(again.body.sessionId).toBe(first.body.sessionId);
    });
  });

  describe('cross-origin', () => {
    it('cross-site allowed origin: CORS grant, SameSite=None, host-only Set-Cookie, relay for the page', async () => {
      const res = await post(SHOP, 'pantry.saas.io')
        .set('Origin', 'https://app.partner.io')
        .expect(200);
      expect(res.headers['access-control-allow-origin']).toBe('https://app.partner.io');
      expect(res.headers['access-control-allow-credentials']).toBe('true');
      expect(res.headers['access-control-expose-headers']).toBe('x-unblu-set-cookie');
      expect(res.headers.vary).toContain('Origin');
      const device = setCookie(res, n(SHOP, 'device'))!;
      expect(device.attributes.samesite).toBe('None');
      expect(device.attributes.domain).toBeUndefined();
      const payload = relay(res)!;
      expect(payload.v).toBe(1);
      expect(payload.mode).toBe('LOCAL_STORAGE');
      expect(payload.cookies.map((c) => c.name)).toEqual(setCookies(res).map((c) => c.name));
      const relayedDevice = payload.cookies.find((c) => c.name === n(SHOP, 'device'))!;
      expect(relayedDevice).toEqual({
        name: n(SHOP, 'device'),
        value: device.value,
        domain: '.partner.io',
        path: '/',
        expires: expect.any(Number),
        secure: true,
        sameSite: 'Lax',
      });
      const now = Date.now() / 1000;
      expect(relayedDevice.expires! - now).toBeGreaterThan(34560000 - 60);
      expect(relayedDevice.expires! - now).toBeLessThanOrEqual(34560000 + 1);
      expect(payload.cookies.find((c) => c.name === n(SHOP, 'session'))!.expires).toBeNull();
    });

    it('same-site allowed origin, server on a subdomain: SameSite=Lax and Domain on the site', async () => {
      const res = await post(SHOP, 'cookies.shop.com')
        .set('X-Forwarded-Proto', 'https')
        .set('Origin', 'https://www.shop.com')
        .expect(200);
      const device = setCookie(res, n(SHOP, 'device'))!;
      expect(device.attributes.samesite).toBe('Lax');
      expect(device.attributes.domain).toBe('shop.com');
      expect(relay(res)!.cookies[0].domain).toBe('.shop.com');
    });

    it('treats a plain-http server as cross-site to an https page (schemeful same-site)', async () => {
      const res = await post(SHOP, 'cookies.shop.com')
        .set('Origin', 'https://www.shop.com')
        .expect(200);
      expect(setCookie(res, n(SHOP, 'device'))!.attributes.samesite).toBe('None');
    });

    it('takes the server host from X-Forwarded-Host behind a trusted proxy', async () => {
      const res = await post(SHOP, 'internal:3000')
        .set('X-Forwarded-Host', 'cookies.shop.com')
        .set('X-Forwarded-Proto', 'https')
        .set('Origin', 'https://www.shop.com')
        .expect(200);
      expect(setCookie(res, n(SHOP, 'device'))!.attributes.domain).toBe('shop.com');
    });

    it('refuses an origin not on the allowlist: 403, nothing set, no grant, no relay', async () => {
      const res = await post().set('Origin', 'https://evil.example').expect(403);
      expect(res.body).toEqual({
        statusCode: 403,
        error: 'origin_not_allowed',
        message: expect.any(String),
      });
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(res.headers['x-unblu-set-cookie']).toBeUndefined();
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    });

    it.each([
      'https://partner.io',
      'http://app.partner.io',
      'https://www.shop.com.evil.io',
      'null',
    ])('refuses %s', async (origin) => {
      const res = await post().set('Origin', origin).expect(403);
      expect(res.headers['set-cookie']).toBeUndefined();
    });

    it('answers a preflight for an allowed origin with 204, allowing the API-key and echo headers', async () => {
      const res = await pantry
        .http()
        .options(`/unblu/v1/identify?x-unblu-apikey=${SHOP}`)
        .set('Origin', 'https://www.shop.com')
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'x-unblu-cookie')
        .expect(204);
      expect(res.headers['access-control-allow-origin']).toBe('https://www.shop.com');
      expect(res.headers['access-control-allow-credentials']).toBe('true');
      expect(res.headers['access-control-allow-headers']).toContain('x-unblu-apikey');
      expect(res.headers['access-control-allow-headers']).toContain('x-unblu-cookie');
      expect(res.headers['set-cookie']).toBeUndefined();
    });

    it('answers a preflight without a key for an account created through the API, at once', async () => {
      const preflight = () =>
        pantry
          .http()
          .options('/unblu/v1/identify')
          .set('Origin', 'https://www.api-made.test')
          .set('Access-Control-Request-Method', 'POST');
      await preflight().expect(403);
      const admin = (t: request.Test) => t.set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`);
      await admin(pantry.http().post('/admin/v1/accounts')).send({ id: 'api-made' }).expect(201);
      await admin(
        pantry.http().put('/admin/v1/accounts/api-made/properties/server.cors.allowedOrigins'),
      )
        .send({ value: 'https://www.api-made.test' })
        .expect(200);
      const res = await preflight().expect(204);
      expect(res.headers['access-control-allow-origin']).toBe('https://www.api-made.test');
      await admin(pantry.http().delete('/admin/v1/accounts/api-made')).expect(204);
      await preflight().expect(403);
    });

    it('refuses a preflight from an origin no account allows', async () => {
      await pantry
        .http()
        .options('/unblu/v1/identify')
        .set('Origin', 'https://evil.example')
        .set('Access-Control-Request-Method', 'POST')
        .expect(403);
      await pantry
        .http()
        .options(`/unblu/v1/identify?x-unblu-apikey=${NEWS}`)
        .set('Origin', 'https://app.partner.io')
        .set('Access-Control-Request-Method', 'POST')
        .expect(403);
    });
  });

  describe('API keys', () => {
    it.each([
      ['missing', '/unblu/v1/identify', 'api_key_required'],
      ['unknown', '/unblu/v1/identify?x-unblu-apikey=unknown-key-1', 'unknown_api_key'],
      ['malformed', '/unblu/v1/identify?x-unblu-apikey=%00%ff', 'unknown_api_key'],
    ])('%s key: 401 with nothing set', async (_what, url, code) => {
      const res = await pantry.http().post(url).set('Origin', 'https://www.shop.com').expect(401);
      expect(res.body.error).toBe(code);
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(res.headers['x-unblu-set-cookie']).toBeUndefined();
      // Readable by a page an account allows (the snippet shows Pantry's code), by no other.
      expect(res.headers['access-control-allow-origin']).toBe('https://www.shop.com');
      const elsewhere = await pantry
        .http()
        .post(url)
        .set('Origin', 'https://evil.example')
        .expect(401);
      expect(elsewhere.body.error).toBe(code);
      expect(elsewhere.headers['access-control-allow-origin']).toBeUndefined();
    });

    it.each(['consent', 'login', 'logout', 'bridge', 'inspect'])(
      'unknown key on %s: 401 unknown_api_key before the body is read',
      async (route) => {
        const res = await pantry
          .http()
          .post(`/unblu/v1/${route}?x-unblu-apikey=unknown-key-1`)
          .set('Origin', 'https://www.shop.com')
          .send({})
          .expect(401);
        expect(res.body.error).toBe('unknown_api_key');
      },
    );

    it('accepts the key in the x-unblu-apikey header', async () => {
      const res = await pantry
        .http()
        .post('/unblu/v1/identify')
        .set('x-unblu-apikey', NEWS)
        .expect(200);
      expect(res.body.account).toBe('news');
    });
  });

  describe('the visitor registry', () => {
    it('answers a returning visitor synchronously, without touching the database', async () => {
      const registry = pantry.app.get(VisitorRegistryService);
      const repository = pantry.app.get(VisitorRepository);
      const dataSource = pantry.app.get(DataSource);
      const first = await post().expect(200);
      await registry.flush();

      // identify is a synchronous function: no await, so no I/O can hide in it, and no
      // background timer can run while it does; the spies see only what it calls.
      const visitors = pantry.app.get(VisitorService);
      const plans = pantry.app.get(TenantService);
      const account = { accountId: 'shop', apiKey: SHOP, plan: plans.planFor('shop', SHOP) };
      const query = jest.spyOn(dataSource, 'query');
      const runner = jest.spyOn(dataSource, 'createQueryRunner');
      const upsert = jest.spyOn(repository, 'upsertMany');
      const req = {
        origin: 'https://www.shop.com',
        host: 'cookies.shop.com',
        protocol: 'https' as const,
        cookie: cookieHeader(first),
        echo: undefined,
        gpc: false,
      };
      const verdict = visitors.gate(account, req);
      if (verdict.kind === 'refused') throw new Error('the origin is allowed');
      const result = visitors.identify(account, req, verdict);
      expect(result).not.toBeInstanceOf(Promise);
      expect((result as VisitOutcome).visit).toMatchObject({
        visitorId: first.body.visitorId,
        issued: [],
      });
      expect(query).not.toHaveBeenCalled();
      expect(runner).not.toHaveBeenCalled();
      expect(upsert).not.toHaveBeenCalled();
      expect(registry.pendingCount).toBeGreaterThan(0);
      jest.restoreAllMocks();
    });

    it('records first and last seen in batches', async () => {
      const registry = pantry.app.get(VisitorRegistryService);
      const repository = pantry.app.get(VisitorRepository);
      const first = await post().expect(200);
      await post().set('Cookie', cookieHeader(first)).expect(200);
      await registry.flush();
      const record = await repository.find('shop', first.body.visitorId);
      expect(record).toMatchObject({
        accountId: 'shop',
        deviceId: first.body.deviceId,
        consent: 'unset',
      });
      expect(record!.lastSeen).toBeGreaterThanOrEqual(record!.firstSeen);
      expect(await repository.find('news', first.body.visitorId)).toBeNull();
    });
  });
});
