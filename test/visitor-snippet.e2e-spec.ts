import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Script } from 'node:vm';
import request from 'supertest';
import { TEST_ADMIN_TOKEN, useApp, useApps } from './helpers/test-app';

describe('GET /unblu/visitor.js', () => {
  const get = (key = 'shop-key-0001') =>
    booted.http().get(`/unblu/visitor.js?x-unblu-apikey=${key}`);

  const booted = useApp({
    accounts: {
      shop: [
        'account.apiKeys = shop-key-0001',
        'server.cors.corsCookieMode = LOCAL_DOMAIN_STORAGE',
        'snippet.refreshSeconds = 3600',
      ].join('\n'),
      news: 'account.apiKeys = news-key-0001',
    },
  });

  it('serves JavaScript with the account settings baked in, cacheable with a validator', async () => {
    const res = await get().expect(200);
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    expect(res.headers.etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['set-cookie']).toBeUndefined();
    const body = res.text;
    expect(body).toContain(
      '{"k":"shop-key-0001","m":"LOCAL_DOMAIN_STORAGE","p":"x-unblu-","f":3600}',
    );
    expect(body).not.toContain('__PANTRY_CONFIG__');
    expect(() => new Script(body)).not.toThrow();
  });

  it('answers 304 to a matching If-None-Match', async () => {
    const first = await get().expect(200);
    const res = await get().set('If-None-Match', first.headers.etag).expect(304);
    expect(res.text).toBe('');
    expect(res.headers.etag).toBe(first.headers.etag);
    await get().set('If-None-Match', '"other"').expect(200);
  });

  it('differs per account and changes when the account settings change', async () => {
    const shop = await get().expect(200);
    const news = await get('news-key-0001').expect(200);
    expect(news.headers.etag).not.toBe(shop.headers.etag);
    expect(news.text).toContain('"m":"PRODUCT_DOMAIN"');
    await booted
      .http()
      .put('/admin/v1/accounts/news/properties/server.cors.corsCookieMode')
      .set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`)
      .send({ value: 'LOCAL_STORAGE' })
      .expect(200);
    const changed = await get('news-key-0001').expect(200);
    expect(changed.text).toContain('"m":"LOCAL_STORAGE"');
    expect(changed.headers.etag).not.toBe(news.headers.etag);
  });

  /** Runs a script as a page would: its window.pantry and its console warnings. */
  const runPage = (script: string) => {
    const window: { pantry?: Record<string, unknown> & { ready: Promise<unknown> } } = {};
    const warnings: unknown[][] = [];
    const console = { warn: (...args: unknown[]) => warnings.push(args) };
    new Script(script).runInNewContext({ window, console, Promise });
    return { pantry: window.pantry!, warnings };
  };

  it.each([
    ['an unknown key', '/unblu/visitor.js?x-unblu-apikey=unknown-key-1', 'unknown_api_key'],
    ['a malformed key', '/unblu/visitor.js?x-unblu-apikey=%21', 'unknown_api_key'],
    ['no key', '/unblu/visitor.js', 'api_key_required'],
  ])(
    'answers %s with a 200 stand-in whose window.pantry rejects with Pantry’s code',
    async (_, path, code) => {
      const res = await booted.http().get(path).expect(200);
      expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers.etag).toBeUndefined();
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      const { pantry, warnings } = runPage(res.text);
      const rejection = { code, message: expect.stringMatching(/API key/) };
      await expect(pantry.ready).rejects.toMatchObject(rejection);
      for (const f of ['consent', 'login', 'logout', 'bridge']) {
        await expect((pantry[f] as () => Promise<unknown>)()).rejects.toMatchObject(rejection);
      }
      expect(warnings).toHaveLength(1);
      expect(String(warnings[0][0])).toContain(code);
    },
  );

  it('never reflects a hostile key into the stand-in', async () => {
    const hostile = '</script><script>alert(document.cookie)</script>"-alert(1)-"';
    const res = await booted
      .http()
      .get(`/unblu/visitor.js?x-unblu-apikey=${encodeURIComponent(hostile)}`)
      .expect(200);
    expect(res.text).not.toContain('alert');
    expect(res.text).not.toContain('</script');
    const lookalike = await get('Zz9Unknown_Key-42').expect(200);
    expect(lookalike.text).not.toContain('Zz9Unknown_Key-42');
    await expect(runPage(lookalike.text).pantry.ready).rejects.toMatchObject({
      code: 'unknown_api_key',
    });
  });
});

describe('GET / (the demo)', () => {
  const apps = useApps();

  it('serves the demo page when a demo account exists, with the snippet from the other loopback name', async () => {
    const demo = await apps.start({ accounts: { demo: 'account.apiKeys = demo-key-0001' } });
    const res = await demo.http().get('/').set('Host', 'localhost:3000').expect(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.text).toContain(
      '<script src="http://127.0.0.1:3000/unblu/visitor.js?x-unblu-apikey=demo-key-0001" defer>',
    );
    const flipped = await demo.http().get('/').set('Host', '127.0.0.1:3000').expect(200);
    expect(flipped.text).toContain('http://localhost:3000/unblu/visitor.js');
  });

  it('answers 404 without a demo account', async () => {
    const shop = await apps.start({ accounts: { shop: 'account.apiKeys = shop-key-0001' } });
    await shop.http().get('/').set('Host', 'localhost:3000').expect(404);
  });
});

describe('GET /unblu/visitor.js behind a path-prefix proxy (same-origin path mode)', () => {
  const apps = useApps();
  const files = (trust: boolean) => ({
    app: `server.trustProxy = ${trust}`,
    accounts: { shop: 'account.apiKeys = shop-key-0001' },
  });
  const snippet = (app: NestFastifyApplication, headers: Record<string, string>) => {
    const r = request(app.getHttpServer()).get('/unblu/visitor.js?x-unblu-apikey=shop-key-0001');
    for (const [k, v] of Object.entries(headers)) r.set(k, v);
    return r.expect(200);
  };
  const proxied = {
    'X-Forwarded-Host': 'www.shop.com',
    'X-Forwarded-Proto': 'https',
    'X-Forwarded-Prefix': '/pantry',
  };

  it('bakes in the public base the trusted proxy announced, per base', async () => {
    const { app } = await apps.start(files(true));
    const res = await snippet(app, proxied);
    expect(res.text).toContain('"b":"https://www.shop.com/pantry/unblu/"');
    const other = await snippet(app, { ...proxied, 'X-Forwarded-Prefix': '/edge/p' });
    expect(other.text).toContain('"b":"https://www.shop.com/edge/p/unblu/"');
    expect(other.headers.etag).not.toBe(res.headers.etag);
    for (const junk of ['/../admin', '//evil.com', '/a/./b', 'x']) {
      const bad = await snippet(app, { ...proxied, 'X-Forwarded-Prefix': junk });
      expect(bad.text).toContain('"b":"https://www.shop.com/unblu/"');
    }
    const badHost = await snippet(app, { ...proxied, 'X-Forwarded-Host': 'evil.com/x' });
    expect(badHost.text).not.toContain('"b":');
  });

  it('ignores X-Forwarded-* without server.trustProxy', async () => {
    const { app } = await apps.start(files(false));
    const res = await snippet(app, proxied);
    expect(res.text).not.toContain('"b":');
    expect(res.text).not.toContain('www.shop.com');
  });
});
