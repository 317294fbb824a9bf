import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo, connect } from 'node:net';
import request from 'supertest';
import { setCookies } from './helpers/cookies';
import { createWorkspace, startApp, TestWorkspace } from './helpers/test-app';

const SHOP = 'www.shop-one.test';
const KEY = 'shop-key-0001';
const n = (c: string) => `x-unblu-${KEY}-${c}`;

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** The site's own server: a few pages, assets and misbehaviours. */
function startUpstream(): Promise<{ server: Server; port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const html = (status: number, extra: Record<string, string | string[]> = {}) => {
        res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...extra });
        res.end('<!doctype html><title>shop</title><p>hello</p>');
      };
      switch (req.url) {
        case '/':
        case '/page?x=1':
          return html(200, {
            'set-cookie': ['site_cart=42; Path=/', `${n('device')}=forged.value; Path=/`],
            'cache-control': 'public, max-age=60, s-maxage=600',
          });
        case '/nostore':
          return html(200, { 'cache-control': 'no-store' });
        case '/missing':
          return html(404, { 'set-cookie': 'site_seen=1' });
        case '/style.css':
          res.writeHead(200, { 'content-type': 'text/css', 'set-cookie': 'site_css=1' });
          return res.end('p{}');
        case '/app.js':
          res.writeHead(200, { 'content-type': 'text/javascript' });
          return res.end('console.log(1)');
        case '/api':
          res.writeHead(200, { 'content-type': 'application/json' });
          return res.end('{"ok":true}');
        case '/slow':
          return; // never answers
        case '/reset':
          return req.socket.destroy();
        case '/garbage':
          req.socket.end('NOT HTTP AT ALL\r\n\r\n\u0000\u0001');
          return;
        case '/huge-headers':
          res.writeHead(200, { 'content-type': 'text/html', 'x-junk': 'j'.repeat(70_000) });
          return res.end('x');
        default:
          res.writeHead(200, { 'content-type': 'application/json' });
          return res.end(JSON.stringify({ method: req.method, url: req.url, body }));
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, port: (server.address() as AddressInfo).port, seen }),
    ),
  );
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('document mode: Pantry as the reverse proxy in front of a site', () => {
  let ws: TestWorkspace;
  let app: NestFastifyApplication;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  const get = (path: string, host = SHOP) =>
    request(app.getHttpServer()).get(path).set('Host', host);
  const pantryCookies = (res: request.Response) =>
    setCookies(res).filter((c) => c.name.startsWith('x-unblu-'));

  beforeAll(async () => {
    upstream = await startUpstream();
    const dead = await closedPort();
    ws = createWorkspace({
      accounts: {
        shop: [
          `account.apiKeys = ${KEY}`,
          `proxy.hosts = ${SHOP}, shop-one.test`,
          `proxy.upstream = http://127.0.0.1:${upstream.port}`,
          'proxy.timeoutSeconds = 1',
          'identifier.cookieDomain = AUTO',
          'identifier.cookieSecureFlag = false',
          'consent.required = false',
        ].join('\n'),
        gated: [
          'account.apiKeys = gated-key-01',
          'proxy.hosts = www.gated.test',
          `proxy.upstream = http://127.0.0.1:${upstream.port}`,
          'identifier.cookieSecureFlag = false',
        ].join('\n'),
        down: [
          'account.apiKeys = down-key-001',
          'proxy.hosts = www.down.test',
          `proxy.upstream = http://127.0.0.1:${dead}`,
        ].join('\n'),
      },
    });
    app = await startApp(ws);
    await app.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await app.close();
    upstream.server.closeAllConnections();
    await new Promise((r) => upstream.server.close(r));
    ws.remove();
  });

  it('sets the identity cookies on the document, for the site domain, keeping the site’s own', async () => {
    const res = await get('/').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('<p>hello</p>');
    const cookies = pantryCookies(res);
    expect(cookies.map((c) => c.name).sort()).toEqual(
      [n('anonymous-person'), n('device'), n('session')].sort(),
    );
    for (const c of cookies) {
      expect(c.attributes).toMatchObject({ domain: 'shop-one.test', path: '/', httponly: true });
      expect(c.value).not.toBe('forged.value');
    }
    expect(cookies.find((c) => c.name === n('device'))!.attributes['max-age']).toBe('34560000');
    // The site's own cookie stays; its line with Pantry's name gives way (one line per name).
    expect(setCookies(res).map((c) => c.name)).toContain('site_cart');
    expect(setCookies(res).filter((c) => c.name === n('device'))).toHaveLength(1);
    expect(res.headers['cache-control']).toBe('private, max-age=60');
  });

  it('refreshes a returning visitor with the same ids', async () => {
    const first = await get('/').expect(200);
    const jar = pantryCookies(first)
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
    const again = await get('/page?x=1').set('Cookie', `site_cart=42; ${jar}`).expect(200);
    const byName = (res: request.Response, name: string) =>
      pantryCookies(res).find((c) => c.name === name)?.value;
    expect(byName(again, n('anonymous-person'))).toBe(byName(first, n('anonymous-person')));
    expect(byName(again, n('device'))).toBe(byName(first, n('device')));
    expect(byName(again, n('session'))).toBeUndefined(); // a session cookie is kept, not re-sent
  });

  it('uses the page host for the domain, whichever proxied name is asked', async () => {
    const res = await get('/', 'shop-one.test').expect(200);
    expect(pantryCookies(res)[0].attributes.domain).toBe('shop-one.test');
  });

  it.each([
    ['a stylesheet', '/style.css', 200, 'site_css'],
    ['JSON', '/api', 200, undefined],
    ['a script', '/app.js', 200, undefined],
    ['a 404 page', '/missing', 404, 'site_seen'],
  ])('adds nothing to %s', async (_what, path, status, siteCookie) => {
    const res = await get(path).expect(status);
    expect(pantryCookies(res)).toEqual([]);
    if (siteCookie) expect(setCookies(res).map((c) => c.name)).toEqual([siteCookie]);
    expect(res.headers['cache-control']).toBeUndefined();
  });

  it('keeps an upstream no-store', async () => {
    const res = await get('/nostore').expect(200);
    expect(pantryCookies(res)).toHaveLength(3);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('forwards method, path, query, body and X-Forwarded-* unchanged', async () => {
    const body = JSON.stringify({ items: [1, 2, 3], note: 'é' });
    const res = await request(app.getHttpServer())
      .post('/cart/add?sku=A-1&qty=2')
      .set('Host', SHOP)
      .set('Content-Type', 'application/json')
      .set('X-Custom', 'kept')
      .set('Connection', 'keep-alive, X-Secret-Hop')
      .set('X-Secret-Hop', 'dropped')
      .send(body)
      .expect(200);
    expect(res.body).toEqual({ method: 'POST', url: '/cart/add?sku=A-1&qty=2', body });
    const seen = upstream.seen.at(-1)!;
    expect(seen.headers).toMatchObject({
      'x-custom': 'kept',
      'x-forwarded-host': SHOP,
      'x-forwarded-proto': 'http',
      'x-forwarded-for': '127.0.0.1',
    });
    expect(seen.headers['x-secret-hop']).toBeUndefined();
    expect(pantryCookies(res)).toEqual([]);
  });

  it('answers its own visitor API on the proxied host (the snippet is same-origin)', async () => {
    const res = await request(app.getHttpServer())
      .post(`/unblu/v1/identify?x-unblu-apikey=${KEY}`)
      .set('Host', SHOP)
      .expect(200);
    expect(res.body.account).toBe('shop');
    const before = upstream.seen.length;
    await get(`/unblu/visitor.js?x-unblu-apikey=${KEY}`).expect(200);
    expect(upstream.seen.length).toBe(before);
  });

  it('gates identity on consent as identify does', async () => {
    const res = await get('/', 'www.gated.test').expect(200);
    expect(setCookies(res).map((c) => c.name)).toEqual(
      expect.arrayContaining(['x-unblu-gated-key-01-session']),
    );
    expect(
      pantryCookies(res)
        .map((c) => c.name)
        .filter((name) => name.startsWith('x-unblu-gated-key-01-')),
    ).toEqual(['x-unblu-gated-key-01-session']);
  });

  it('leaves other hosts to Pantry', async () => {
    await get('/health', 'localhost').expect(200);
    const before = upstream.seen.length;
    await get('/health', 'cookies.elsewhere.test').expect(200);
    expect(upstream.seen.length).toBe(before);
  });

  it.each([
    ['an upstream that never answers', SHOP, '/slow', 504, 'upstream_timeout'],
    ['an upstream that is down', 'www.down.test', '/', 502, 'upstream_unreachable'],
    ['an upstream that resets the connection', SHOP, '/reset', 502, 'upstream_unreachable'],
    ['an upstream with huge headers', SHOP, '/huge-headers', 502, 'upstream_unreachable'],
    ['an upstream that answers garbage', SHOP, '/garbage', 502, 'upstream_unreachable'],
  ])('%s: %s JSON error, and Pantry keeps serving', async (_what, host, path, status, code) => {
    const res = await get(path, host).expect(status);
    expect(res.body).toMatchObject({ statusCode: status, error: code });
    expect(pantryCookies(res)).toEqual([]);
    await get('/').expect(200);
    await get('/health', 'localhost').expect(200);
  });

  it('refuses a smuggling attempt (Content-Length with Transfer-Encoding) before the upstream sees it', async () => {
    const before = upstream.seen.length;
    const port = (app.getHttpServer().address() as AddressInfo).port;
    const reply = await new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1', () =>
        socket.write(
          `POST /cart HTTP/1.1\r\nHost: ${SHOP}\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /admin HTTP/1.1\r\nHost: ${SHOP}\r\n\r\n`,
        ),
      );
      let data = '';
      socket.on('data', (d: Buffer) => (data += d.toString()));
      socket.on('close', () => resolve(data));
      setTimeout(() => socket.destroy(), 2000).unref();
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    expect(upstream.seen.length).toBe(before);
  });
});
