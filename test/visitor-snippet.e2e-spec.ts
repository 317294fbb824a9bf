import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Script } from 'node:vm';
import request from 'supertest';
import { createWorkspace, startApp, TEST_ADMIN_TOKEN, TestWorkspace } from './helpers/test-app';

describe('GET /unblu/visitor.js', () => {
  let ws: TestWorkspace;
  let app: NestFastifyApplication;
  const get = (key = 'shop-key-0001') =>
    request(app.getHttpServer()).get(`/unblu/visitor.js?x-unblu-apikey=${key}`);

  beforeAll(async () => {
    ws = createWorkspace({
      accounts: {
        shop: [
          'account.apiKeys = shop-key-0001',
          'server.cors.corsCookieMode = LOCAL_DOMAIN_STORAGE',
          'snippet.refreshSeconds = 3600',
        ].join('\n'),
        news: 'account.apiKeys = news-key-0001',
      },
    });
    app = await startApp(ws);
  });

  afterAll(async () => {
    await app.close();
    ws.remove();
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
    await request(app.getHttpServer())
      .put('/admin/v1/accounts/news/properties/server.cors.corsCookieMode')
      .set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`)
      .send({ value: 'LOCAL_STORAGE' })
      .expect(200);
    const changed = await get('news-key-0001').expect(200);
    expect(changed.text).toContain('"m":"LOCAL_STORAGE"');
    expect(changed.headers.etag).not.toBe(news.headers.etag);
  });

  it('refuses a missing or unknown key with 401 JSON', async () => {
    const res = await get('unknown-key-1').expect(401);
    expect(res.body.error).toBe('unknown_api_key');
    await request(app.getHttpServer()).get('/unblu/visitor.js').expect(401);
  });
});

describe('GET / (the demo)', () => {
  let ws: TestWorkspace;
  let app: NestFastifyApplication;
  afterEach(async () => {
    await app.close();
    ws.remove();
  });

  it('serves the demo page when a demo account exists, with the snippet from the other loopback name', async () => {
    ws = createWorkspace({ accounts: { demo: 'account.apiKeys = demo-key-0001' } });
    app = await startApp(ws);
    const res = await request(app.getHttpServer())
      .get('/')
      .set('Host', 'localhost:3000')
      .expect(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.text).toContain(
      '<script src="http://127.0.0.1:3000/unblu/visitor.js?x-unblu-apikey=demo-key-0001" defer>',
    );
    const flipped = await request(app.getHttpServer())
      .get('/')
      .set('Host', '127.0.0.1:3000')
      .expect(200);
    expect(flipped.text).toContain('http://localhost:3000/unblu/visitor.js');
  });

  it('answers 404 without a demo account', async () => {
    ws = createWorkspace({ accounts: { shop: 'account.apiKeys = shop-key-0001' } });
    app = await startApp(ws);
    await request(app.getHttpServer()).get('/').set('Host', 'localhost:3000').expect(404);
  });
});
