import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo, connect } from 'node:net';
import { join } from 'node:path';
import request from 'supertest';
import { CaptureLogger } from './helpers/capture-logger';
import { setCookies } from './helpers/cookies';
import { rawRequest } from './helpers/raw-http';
import { startServerProcess } from './helpers/server-process';
import {
  createWorkspace,
  TEST_ADMIN_TOKEN,
  TestWorkspace,
  useApp,
  useApps,
} from './helpers/test-app';

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
        case '/hop-headers':
          res.writeHead(200, {
            'content-type': 'text/css',
            connection: 'close, X-Secret, x-other',
            'x-secret': 'internal',
            'x-other': 'also internal',
            'keep-alive': 'timeout=5',
            'x-public': 'kept',
          });
          return res.end('p{}');
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
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let dead: number;
  const logger = new CaptureLogger();
  const port = () => (pantry.app.getHttpServer().address() as AddressInfo).port;
  const get = (path: string, host = SHOP) => pantry.http().get(path).set('Host', host);
  const pantryCookies = (res: request.Response) =>
    setCookies(res).filter((c) => c.name.startsWith('x-unblu-'));

  beforeAll(async () => {
    upstream = await startUpstream();
    dead = await closedPort();
  });
  const pantry = useApp(
    () => ({
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
    }),
    { logger },
  );
  beforeAll(async () => {
    await pantry.app.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    upstream.server.closeAllConnections();
    await new Promise((r) => upstream.server.close(r));
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
    const res = await pantry
      .http()
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
    const res = await pantry
      .http()
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
    const port = (pantry.app.getHttpServer().address() as AddressInfo).port;
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

  describe('request heads a browser never sends, through a real upstream', () => {
    const hits = () => upstream.seen.length;
    const noStack = () => {
      expect(logger.text).not.toMatch(/TypeError|Invalid URL|\n\s+at /);
    };

    it.each([
      ['a path and query', `http://${SHOP}/page?x=1`, SHOP, '/page?x=1'],
      ['no path', `http://${SHOP.toUpperCase()}`, SHOP, '/'],
      ['a query without a path', `http://${SHOP}?q=1`, SHOP, '/?q=1'],
      [
        'https and a port',
        'https://shop-one.test:8443/style.css',
        'shop-one.test:8443',
        '/style.css',
      ],
    ])(
      'absolute-form with %s: forwarded as its path, for the host it names (Host ignored)',
      async (_what, target, host, path) => {
        const before = hits();
        const res = await rawRequest(
          port(),
          `GET ${target} HTTP/1.1\r\nHost: cookies.elsewhere.test\r\nConnection: close\r\n\r\n`,
        );
        expect(res.status).toBe(200);
        expect(hits()).toBe(before + 1);
        const seen = upstream.seen.at(-1)!;
        expect(seen.url).toBe(path);
        expect(seen.headers['x-forwarded-host']).toBe(host);
        noStack();
      },
    );

    it('absolute-form sets the document’s cookies for the host it names', async () => {
      const res = await rawRequest(
        port(),
        `GET http://${SHOP}/ HTTP/1.1\r\nHost: ${SHOP}\r\nConnection: close\r\n\r\n`,
      );
      expect(res.status).toBe(200);
      expect(res.headers['set-cookie']).toContain(`${n('device')}=`);
      expect(res.headers['set-cookie']).toContain('Domain=shop-one.test');
    });

    it.each([
      ['Pantry’s own route on another host', 'http://cookies.elsewhere.test/health', SHOP, 200],
      ['an unknown host', 'http://www.evil.test/', SHOP, 404],
    ])(
      'absolute-form naming %s is not forwarded: Pantry answers it',
      async (_w, target, host, status) => {
        const before = hits();
        const res = await rawRequest(
          port(),
          `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
        );
        expect(res.status).toBe(status);
        expect(hits()).toBe(before);
        noStack();
      },
    );

    it('OPTIONS * on a proxied host: 200 with Allow, answered by Pantry', async () => {
      const before = hits();
      const res = await rawRequest(
        port(),
        `OPTIONS * HTTP/1.1\r\nHost: ${SHOP}\r\nConnection: close\r\n\r\n`,
      );
      expect(res.status).toBe(200);
      expect(res.headers.allow).toBe('GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS');
      expect(res.headers['content-length']).toBe('0');
      expect(hits()).toBe(before);
      noStack();
    });

    it.each<[string, string, string | null]>([
      ['GET *', 'GET * HTTP/1.1', 'bad_request'],
      ['an ftp URL', `GET ftp://${SHOP}/ HTTP/1.1`, 'bad_request'],
      ['user information', `GET http://user:secret@${SHOP}/ HTTP/1.1`, 'bad_request'],
      ['an empty authority', 'GET http:///page HTTP/1.1', 'bad_request'],
      ['a .. segment', 'GET /a/../admin HTTP/1.1', 'bad_request'],
      // Refused by Node's parser and Fastify's URL check before any route: their own bodies.
      ['a target without a slash', 'GET page HTTP/1.1', null],
      ['malformed percent-encoding', 'GET /%E0%A4%A HTTP/1.1', null],
    ])('%s: 400, never forwarded', async (_what, line, code) => {
      const before = hits();
      const res = await rawRequest(port(), `${line}\r\nHost: ${SHOP}\r\nConnection: close\r\n\r\n`);
      expect(res.status).toBe(400);
      if (code) expect(JSON.parse(res.body)).toMatchObject({ statusCode: 400, error: code });
      expect(hits()).toBe(before);
      noStack();
    });

    it('an upload with Expect: 100-continue reaches the upstream intact', async () => {
      const body = randomBytes(150_000).toString('base64');
      const res = await rawRequest(
        port(),
        `PUT /upload?name=a.bin HTTP/1.1\r\nHost: ${SHOP}\r\nContent-Type: application/octet-stream\r\n` +
          `Content-Length: ${body.length}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`,
        { body, waitForContinue: true },
      );
      expect(res.interim).toEqual([100]);
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toEqual({ method: 'PUT', url: '/upload?name=a.bin', body });
      const seen = upstream.seen.at(-1)!;
      expect(seen.body).toBe(body);
      expect(seen.headers.expect).toBeUndefined();
      noStack();
    });

    it('curl -T with Expect: 100-continue uploads a file through document mode', async () => {
      const file = join(pantry.ws.root, 'upload.txt');
      const content = randomBytes(300_000).toString('hex');
      writeFileSync(file, content);
      const out = await new Promise<string>((resolve, reject) =>
        execFile(
          'curl',
          [
            '--silent',
            '--show-error',
            '--max-time',
            '20',
            '-T',
            file,
            '-H',
            `Host: ${SHOP}`,
            '-H',
            'Expect: 100-continue',
            '--write-out',
            '\n%{http_code}',
            `http://127.0.0.1:${port()}/files/upload.txt`,
          ],
          (error, stdout, stderr) =>
            error ? reject(new Error(stderr || error.message)) : resolve(stdout),
        ),
      );
      const [json, status] = out.split('\n');
      expect(status).toBe('200');
      expect(JSON.parse(json)).toEqual({ method: 'PUT', url: '/files/upload.txt', body: content });
    });

    it('drops the response headers the upstream’s Connection names', async () => {
      const res = await get('/hop-headers').expect(200);
      expect(res.headers['x-secret']).toBeUndefined();
      expect(res.headers['x-other']).toBeUndefined();
      expect(res.headers['keep-alive']).toBeUndefined();
      expect(res.headers['x-public']).toBe('kept');
      expect(res.text).toBe('p{}');
    });

    it('drops the request headers the client’s Connection names (raw, folded over two fields)', async () => {
      const res = await rawRequest(
        port(),
        `GET /echo HTTP/1.1\r\nHost: ${SHOP}\r\nConnection: close, X-Internal\r\nConnection: x-two\r\n` +
          'X-Internal: 1\r\nX-Two: 2\r\nX-Kept: 3\r\n\r\n',
      );
      expect(res.status).toBe(200);
      const seen = upstream.seen.at(-1)!;
      expect(seen.headers['x-internal']).toBeUndefined();
      expect(seen.headers['x-two']).toBeUndefined();
      expect(seen.headers['x-kept']).toBe('3');
    });

    it.each([
      ['Host twice', `Host: ${SHOP}\r\nHost: www.evil.test`],
      ['Host twice, same value', `Host: ${SHOP}\r\nHost: ${SHOP}`],
      ['Host and HOST', `Host: ${SHOP}\r\nHOST: shop-one.test`],
    ])('%s: 400, never forwarded', async (_what, hosts) => {
      const before = hits();
      const res = await rawRequest(
        port(),
        `GET / HTTP/1.1\r\n${hosts}\r\nConnection: close\r\n\r\n`,
      );
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body)).toMatchObject({ statusCode: 400, error: 'bad_request' });
      expect(hits()).toBe(before);
    });

    it.each([
      ['the visitor API', `POST /unblu/v1/identify?x-unblu-apikey=${KEY} HTTP/1.1`],
      ['health', 'GET /health HTTP/1.1'],
    ])('two Host headers on %s: 400 too', async (_what, line) => {
      const res = await rawRequest(
        port(),
        `${line}\r\nHost: ${SHOP}\r\nHost: www.evil.test\r\nConnection: close\r\n\r\n`,
      );
      expect(res.status).toBe(400);
      expect(res.headers['set-cookie']).toBeUndefined();
    });
  });
});

describe('document mode: a loop between real Pantry processes', () => {
  const KEY_A = randomBytes(32).toString('base64');
  const KEY_B = randomBytes(32).toString('base64');
  const SECRET = randomBytes(32).toString('base64url');
  const nodeConfig = (key: string) =>
    [
      'server.trustProxy = true',
      'server.accessLog = all',
      'server.logFormat = json',
      `server.aes.encryptionKey = ${key}`,
      `identifier.signingSecrets = ${SECRET}`,
    ].join('\n');
  const account = (host: string, upstreamPort: number, apiKey: string) =>
    [
      `account.apiKeys = ${apiKey}`,
      `proxy.hosts = ${host}`,
      `proxy.upstream = http://127.0.0.1:${upstreamPort}`,
    ].join('\n');
  const documentLines = (output: string, host: string) =>
    output
      .split('\n')
      .filter((l) => l.includes('"route":"(document mode)"') && l.includes(`"account":"${host}"`));
  const workspaces: TestWorkspace[] = [];
  const nodes: Array<ReturnType<typeof startServerProcess>> = [];
  const ports: number[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 3; i++) ports.push(await closedPort());
    const [a, b, c] = ports;
    // a and b: one fleet (one encryption key) whose account `fleet` bounces between them, as
    // behind a load balancer; c: another fleet's node, and account `pair` loops a ↔ c.
    const configs: Array<{ key: string; accounts: Record<string, string> }> = [
      {
        key: KEY_A,
        accounts: {
          fleet: account('www.fleet.test', b, 'fleet-key-01'),
          pair: account('www.pair.test', c, 'pair-key-001'),
        },
      },
      { key: KEY_A, accounts: { fleet: account('www.fleet.test', a, 'fleet-key-01') } },
      { key: KEY_B, accounts: { pair: account('www.pair.test', a, 'pair-key-001') } },
    ];
    configs.forEach(({ key, accounts }, i) => {
      const ws = createWorkspace({ app: nodeConfig(key), accounts });
      workspaces.push(ws);
      nodes.push(
        startServerProcess({
          PANTRY_CONFIG_DIR: ws.configDir,
          PANTRY_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
          PORT: String(ports[i]),
        }),
      );
    });
    await Promise.all(nodes.map((node) => node.listening));
  }, 60_000);

  afterAll(async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    for (const ws of workspaces) ws.remove();
  });

  it('answers 508 within a hop in one fleet and within two across fleets; each node forwards at most once', async () => {
    // fetch() sets Host itself: a raw request names the proxied host.
    const ask = (host: string) =>
      rawRequest(ports[0], `GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`, {
        timeoutMs: 20_000,
      });
    for (const host of ['www.fleet.test', 'www.pair.test']) {
      const res = await ask(host);
      expect(res.status).toBe(508);
      expect(JSON.parse(res.body)).toMatchObject({ statusCode: 508, error: 'proxy_loop' });
    }
    // The access lines are written in batches: stop the nodes to have every one.
    await Promise.all(nodes.map((node) => node.stop()));
    const [outA, outB, outC] = nodes.map((node) => node.output());
    // fleet: a forwarded once, b recognised the fleet's Via and answered 508.
    expect(documentLines(outA, 'fleet')).toHaveLength(1);
    expect(documentLines(outB, 'fleet')).toHaveLength(1);
    // pair: a → c → a, where a recognised its own Via.
    expect(documentLines(outA, 'pair')).toHaveLength(2);
    expect(documentLines(outC, 'pair')).toHaveLength(1);
    for (const out of [outA, outB, outC]) expect(out).not.toMatch(/\n\s+at /);
  }, 60_000);
});

describe('document mode: a loop back into the same process', () => {
  const apps = useApps();

  it('answers 508 after one hop when proxy.upstream is Pantry under another name', async () => {
    const own = await closedPort();
    const logger = new CaptureLogger();
    const { app } = await apps.start(
      {
        app: 'server.trustProxy = true',
        accounts: {
          self: [
            'account.apiKeys = self-key-0001',
            'proxy.hosts = www.self.test',
            // Pantry itself, by an address the load-time check cannot know is its own.
            `proxy.upstream = http://127.0.0.1:${own}`,
          ].join('\n'),
        },
      },
      { logger },
    );
    await app.listen(own, '127.0.0.1');
    const res = await rawRequest(
      own,
      `GET /page HTTP/1.1\r\nHost: www.self.test\r\nConnection: close\r\n\r\n`,
    );
    expect(res.status).toBe(508);
    expect(JSON.parse(res.body)).toMatchObject({ statusCode: 508, error: 'proxy_loop' });
    expect(logger.text).not.toMatch(/\n\s+at /);
  });
});
