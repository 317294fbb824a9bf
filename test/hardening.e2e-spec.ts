import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import { AddressInfo, connect, Socket } from 'node:net';
import request from 'supertest';
import { CaptureLogger } from './helpers/capture-logger';
import { cookieHeader } from './helpers/cookies';
import { rawRequest } from './helpers/raw-http';
import { eventually, TEST_ADMIN_TOKEN, useApp } from './helpers/test-app';
import { ownSeries } from './helpers/metrics';

const AUTH = `Bearer ${TEST_ADMIN_TOKEN}`;
const KEY = 'shop-key-0001';
const SHOP = [`account.apiKeys = ${KEY}`, 'consent.required = false'].join('\n');

/** `[[[…]]]` and `{"a":{"a":…}}`, `levels` deep. */
const nestedArrays = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
const nestedObjects = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

describe('hostile input that used to get a 5xx or a wrong answer', () => {
  const api = () => pantry.http();
  const admin = (t: request.Test) => t.set('Authorization', AUTH);

  const pantry = useApp({
    app: 'server.requestTimeoutSeconds = 2\nserver.maxConnectionsPerAddress = 20',
    accounts: { shop: SHOP },
  });
  beforeAll(async () => {
    await pantry.app.listen(0, '127.0.0.1');
  });

  describe('deeply nested JSON bodies: 400, never a stack overflow', () => {
    const bodies: Array<[string, string]> = [
      ['arrays, 5,000 levels', nestedArrays(5_000)],
      ['objects, 3,000 levels', nestedObjects(3_000)],
      ['inside a valid field', `{"granted":${nestedArrays(5_000)}}`],
      ['33 levels', nestedObjects(33)],
    ];
    it.each(bodies)('consent, %s', async (_what, body) => {
      const res = await api()
        .post(`/unblu/v1/consent?x-unblu-apikey=${KEY}`)
        .set('content-type', 'application/json')
        .send(body)
        .expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'bad_request' });
      expect(res.headers['set-cookie']).toBeUndefined();
    });
    it.each(bodies)('admin account creation, %s', async (_what, body) => {
      await admin(api().post('/admin/v1/accounts'))
        .set('content-type', 'application/json')
        .send(body)
        .expect(400);
    });
    it('a body at the depth limit is still read', async () => {
      // 32 levels of objects where a string is expected: refused by validation, not by depth.
      const res = await admin(api().put('/admin/v1/accounts/shop/properties/identifier.cookiePath'))
        .set('content-type', 'application/json')
        .send(`{"value":${nestedObjects(31)}}`)
        .expect(400);
      expect(res.body.message).toMatch(/value must be a string/);
    });
  });

  describe('bodies on routes that take none', () => {
    it.each([
      ['post', '/admin/v1/accounts/shop/apikeys'],
      ['post', '/admin/v1/config/reload'],
    ])('%s %s with an unknown field: 400', async (method, url) => {
      const call = (api() as unknown as Record<string, (u: string) => request.Test>)[method](url);
      const res = await admin(call).send({ unexpected: true }).expect(400);
      expect(res.body.message).toMatch(/unexpected should not exist/);
    });
    it('POST apikeys with no body or {} still works', async () => {
      await admin(api().post('/admin/v1/accounts/shop/apikeys')).expect(201);
      await admin(api().post('/admin/v1/accounts/shop/apikeys')).send({}).expect(201);
    });
  });

  describe('wildcard origins over a public suffix', () => {
    it.each(['https://*.com', 'https://*.co.uk', 'https://*.github.io'])(
      'refuses %s as an override',
      async (origin) => {
        const res = await admin(
          api().put('/admin/v1/accounts/shop/properties/server.cors.allowedOrigins'),
        )
          .send({ value: `https://www.shop.com, ${origin}` })
          .expect(400);
        expect(res.body.error).toBe('invalid_property');
        expect(res.body.message).toMatch(/public suffix/);
      },
    );
    it('refuses it in a file: the reload fails and the last good configuration stays', async () => {
      pantry.ws.write(
        'accounts/wild.properties',
        'account.apiKeys = wild-key-01\nserver.cors.allowedOrigins = https://*.co.uk',
      );
      const res = await admin(api().post('/admin/v1/config/reload')).expect(400);
      expect(res.body.problems.join('\n')).toMatch(
        /wild\.properties:2: server\.cors\.allowedOrigins: .*public suffix/,
      );
      pantry.ws.write(
        'accounts/wild.properties',
        'account.apiKeys = wild-key-01\nserver.cors.allowedOrigins = https://*.wild.co.uk',
      );
      await admin(api().post('/admin/v1/config/reload')).expect(200);
    });
  });

  describe('cookie names browsers would drop or merge', () => {
    const put = (key: string, value: string) =>
      admin(api().put(`/admin/v1/accounts/shop/properties/${key}`)).send({ value });
    afterEach(async () => {
      for (const key of [
        'identifier.cookieNamePrefix',
        'identifier.sessionCookieName',
        'identifier.cookieDomain',
        'identifier.cookiePath',
        'identifier.cookieSecureFlag',
      ]) {
        await admin(api().delete(`/admin/v1/accounts/shop/properties/${key}`));
      }
    });

    it('two cookies under one name', async () => {
      const res = await put('identifier.sessionCookieName', 'device').expect(400);
      expect(res.body.message).toMatch(/device and session cookies would all be named/);
    });
    it('__Host- with a Domain, a Path other than / or without Secure', async () => {
      await put('identifier.cookieDomain', 'AUTO').expect(200);
      expect(
        (await put('identifier.cookieNamePrefix', '__Host-').expect(400)).body.message,
      ).toMatch(/__Host-.*must not carry a Domain/);
      await admin(api().delete('/admin/v1/accounts/shop/properties/identifier.cookieDomain'));
      await put('identifier.cookiePath', '/shop').expect(200);
      expect(
        (await put('identifier.cookieNamePrefix', '__host-').expect(400)).body.message,
      ).toMatch(/require identifier.cookiePath=\//);
      await admin(api().delete('/admin/v1/accounts/shop/properties/identifier.cookiePath'));
      await put('identifier.cookieNamePrefix', '__Host-').expect(200);
      expect((await put('identifier.cookieSecureFlag', 'false').expect(400)).body.message).toMatch(
        /__Host-.*require identifier.cookieSecureFlag=true/,
      );
      expect((await put('identifier.cookieDomain', '.shop.com').expect(400)).body.message).toMatch(
        /must not carry a Domain/,
      );
    });
    it('__Secure- without Secure', async () => {
      await put('identifier.cookieSecureFlag', 'false').expect(200);
      expect(
        (await put('identifier.cookieNamePrefix', '__Secure-').expect(400)).body.message,
      ).toMatch(/__Secure-.*require identifier.cookieSecureFlag=true/);
    });
    it('an account file with a clash is reported at its line', async () => {
      pantry.ws.write(
        'accounts/clash.properties',
        'account.apiKeys = clash-key-1\n\nidentifier.deviceCookieName = session',
      );
      const res = await admin(api().post('/admin/v1/config/reload')).expect(400);
      expect(res.body.problems).toEqual([
        expect.stringMatching(
          /clash\.properties:3: identifier\.deviceCookieName: the device and session cookies/,
        ),
      ]);
      pantry.ws.write('accounts/clash.properties', 'account.apiKeys = clash-key-1');
      await admin(api().post('/admin/v1/config/reload')).expect(200);
    });
  });

  describe('an account file without API keys', () => {
    it('is a problem like any other, and the keys keep working', async () => {
      pantry.ws.write('accounts/shop.properties', '');
      const res = await admin(api().post('/admin/v1/config/reload')).expect(400);
      expect(res.body.problems).toEqual([
        expect.stringMatching(
          /shop\.properties:1: account\.apiKeys: an account file must define at least one API key/,
        ),
      ]);
      await api().post(`/unblu/v1/identify?x-unblu-apikey=${KEY}`).expect(200);
      pantry.ws.write('accounts/shop.properties', SHOP);
      await admin(api().post('/admin/v1/config/reload')).expect(200);
    });
  });

  describe('a returning visitor behind many site cookies', () => {
    it('is recognised however many cookies come before Pantry’s', async () => {
      const first = await api().post(`/unblu/v1/identify?x-unblu-apikey=${KEY}`).expect(200);
      const site = Array.from({ length: 400 }, (_, i) => `_site${i}=${i}`).join('; ');
      const again = await api()
        .post(`/unblu/v1/identify?x-unblu-apikey=${KEY}`)
        .set('Cookie', `${site}; ${cookieHeader(first)}`)
        .expect(200);
      expect(again.body.visitorId).toBe(first.body.visitorId);
      expect(again.body.issued).toEqual([]);
      const echoed = await api()
        .post(`/unblu/v1/identify?x-unblu-apikey=${KEY}`)
        .set('x-unblu-cookie', `${site}; ${cookieHeader(first)}`)
        .expect(200);
      expect(echoed.body.visitorId).toBe(first.body.visitorId);
    });
  });

  describe('slow clients and many connections', () => {
    const port = () => (pantry.app.getHttpServer().address() as AddressInfo).port;
    const open = () =>
      new Promise<Socket>((resolve, reject) => {
        const socket = connect(port(), '127.0.0.1', () => resolve(socket));
        socket.on('error', reject);
      });
    const closed = (socket: Socket) =>
      new Promise<string>((resolve) => {
        let data = '';
        socket.on('data', (chunk: Buffer) => (data += chunk.toString()));
        socket.on('close', () => resolve(data));
        socket.on('error', () => undefined);
      });

    it('cuts off a body that trickles in (server.requestTimeoutSeconds = 2)', async () => {
      const socket = await open();
      const answer = closed(socket);
      const started = Date.now();
      socket.write(
        `POST /unblu/v1/consent?x-unblu-apikey=${KEY} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{`,
      );
      const drip = setInterval(() => socket.writable && socket.write(' '), 300);
      const text = await answer;
      clearInterval(drip);
      expect(text).toMatch(/^HTTP\/1\.1 408/);
      expect(Date.now() - started).toBeLessThan(4_500);
    });

    it('closes connections over the per-address cap at once (server.maxConnectionsPerAddress = 20)', async () => {
      const sockets = await Promise.all(Array.from({ length: 20 }, open));
      const extra = await open();
      await expect(closed(extra)).resolves.toBe('');
      // The others still work, and a slot frees when one closes.
      sockets[0].destroy();
      await eventually(async () => {
        const s = await open();
        const res = await new Promise<string>((resolve) => {
          let data = '';
          s.on('data', (c: Buffer) => {
            data += c.toString();
            if (data.includes('\r\n\r\n')) resolve(data);
          });
          s.on('close', () => resolve(data));
          s.write('GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n');
        });
        s.destroy();
        expect(res).toMatch(/^HTTP\/1\.1 200/);
      });
      sockets.forEach((s) => s.destroy());
    });
  });
});

describe('admin failures behind a proxy (server.trustProxy = true)', () => {
  const api = () => pantry.http();
  const pantry = useApp({ app: 'server.trustProxy = true', accounts: { shop: SHOP } });

  it('throttles the client the proxy reports, not the proxy, and never the right token', async () => {
    const from = (address: string, token: string) =>
      api()
        .get('/admin/v1/accounts')
        .set('X-Forwarded-For', `192.0.2.1, ${address}`)
        .set('Authorization', `Bearer ${token}`);
    let status = 401;
    for (let i = 0; i < 40 && status === 401; i++) {
      status = (await from('203.0.113.7', 'wrong-token-value')).status;
    }
    expect(status).toBe(429);
    // Another client behind the same proxy is not blocked…
    await from('198.51.100.2', 'wrong-token-value').expect(401);
    // …and the right token passes, even from the throttled address.
    await from('203.0.113.7', TEST_ADMIN_TOKEN).expect(200);
    await from('198.51.100.2', TEST_ADMIN_TOKEN).expect(200);
  });
});

describe('document mode: a few hundred request heads of the issue 24 classes', () => {
  const SITE = 'www.hostile-shop.test';
  const OTHER = 'cookies.elsewhere.test';
  let site: Server;
  const seen: Array<{ url: string; headers: IncomingHttpHeaders; body: string }> = [];
  const logger = new CaptureLogger();
  let port = 0;

  beforeAll(async () => {
    // The site: echoes what it received; /hop names two of its headers in Connection.
    site = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ url: req.url!, headers: req.headers, body });
        const extra: Record<string, string> =
          req.url === '/hop'
            ? {
                connection: 'close, X-Secret, x-internal-id',
                'x-secret': 'internal',
                'x-internal-id': '7',
              }
            : {};
        res.writeHead(200, { 'content-type': 'application/json', ...extra });
        res.end(JSON.stringify({ url: req.url, length: body.length }));
      });
    });
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', () => r()));
  });
  const pantry = useApp(
    () => ({
      app: 'server.accessLog = off',
      accounts: {
        shop: [
          `account.apiKeys = ${KEY}`,
          `proxy.hosts = ${SITE}`,
          `proxy.upstream = http://127.0.0.1:${(site.address() as AddressInfo).port}`,
          'consent.required = false',
        ].join('\n'),
      },
    }),
    { logger },
  );
  beforeAll(async () => {
    await pantry.app.listen(0, '127.0.0.1');
    port = (pantry.app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(async () => {
    site.closeAllConnections();
    await new Promise((r) => site.close(r));
  });

  interface Head {
    readonly what: string;
    readonly head: string;
    readonly status: number;
    /** What the site must have received (its path), or null when nothing may reach it. */
    readonly reaches: string | null;
    readonly body?: string;
  }
  const close = 'Connection: close\r\n\r\n';
  const heads: Head[] = [];
  // Absolute-form: forwarded as its path when it names the site, Pantry's own answer otherwise.
  for (const scheme of ['http', 'HTTP', 'https']) {
    for (const [authority, proxied] of [
      [SITE, true],
      [`${SITE}:80`, true],
      [SITE.toUpperCase(), true],
      [OTHER, false],
      ['127.0.0.1:1', false],
      ['[::1]:8080', false],
    ] as const) {
      for (const [path, upstreamPath] of [
        ['', '/'],
        ['/', '/'],
        ['/a/b?c=1&d', '/a/b?c=1&d'],
        ['?q=1', '/?q=1'],
        ['/%2e%2e/admin', null],
        ['//double/slash', '//double/slash'],
      ] as const) {
        for (const host of [SITE, OTHER]) {
          const forwarded = proxied && upstreamPath !== null;
          heads.push({
            what: `GET ${scheme}://${authority}${path} (Host ${host})`,
            head: `GET ${scheme}://${authority}${path} HTTP/1.1\r\nHost: ${host}\r\n${close}`,
            status: forwarded ? 200 : proxied ? 400 : 404,
            reaches: forwarded ? upstreamPath : null,
          });
        }
      }
    }
  }
  // Absolute-form Pantry refuses whatever host it names.
  for (const target of [
    `ftp://${SITE}/`,
    `ws://${SITE}/`,
    `http://user@${SITE}/`,
    `http://user:pw@${SITE}/`,
    'http:///no-authority',
    `http://${SITE}:99x/`,
    `http://${SITE}#frag`,
    `http://[::1/`,
    'mailto:shop@example.com',
    'page',
    'a/b',
  ]) {
    for (const host of [SITE, OTHER]) {
      heads.push({
        what: `GET ${target} (Host ${host})`,
        head: `GET ${target} HTTP/1.1\r\nHost: ${host}\r\n${close}`,
        status: 400,
        reaches: null,
      });
    }
  }
  // The asterisk: OPTIONS only, answered by Pantry for every host.
  for (const host of [SITE, OTHER, SITE.toUpperCase()]) {
    for (const version of ['1.1', '1.0']) {
      heads.push({
        what: `OPTIONS * HTTP/${version} (Host ${host})`,
        head: `OPTIONS * HTTP/${version}\r\nHost: ${host}\r\n${close}`,
        status: 200,
        reaches: null,
      });
    }
    for (const method of ['GET', 'POST', 'DELETE', 'PUT', 'HEAD']) {
      heads.push({
        what: `${method} * (Host ${host})`,
        head: `${method} * HTTP/1.1\r\nHost: ${host}\r\n${close}`,
        status: 400,
        reaches: null,
      });
    }
  }
  // Expect: the body reaches the site intact after 100 Continue; other expectations get 417.
  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
    for (const expect of ['100-continue', '100-Continue', '100-CONTINUE']) {
      for (const size of [0, 1, 10_000]) {
        const body = 'b'.repeat(size);
        heads.push({
          what: `${method} with Expect: ${expect}, ${size} bytes`,
          head:
            `${method} /upload/${size} HTTP/1.1\r\nHost: ${SITE}\r\nContent-Length: ${size}\r\n` +
            `Expect: ${expect}\r\n${close}`,
          body,
          status: 200,
          reaches: `/upload/${size}`,
        });
      }
    }
    for (const expect of ['nothing', '200-ok', '100-continuex']) {
      heads.push({
        what: `${method} with Expect: ${expect}`,
        head: `${method} /upload HTTP/1.1\r\nHost: ${SITE}\r\nContent-Length: 0\r\nExpect: ${expect}\r\n${close}`,
        status: 417,
        reaches: null,
      });
    }
  }
  // Two Host fields, on document mode and on Pantry's own routes.
  for (const target of [
    '/',
    '/a?b',
    `/unblu/v1/identify?x-unblu-apikey=${KEY}`,
    '/health',
    `http://${SITE}/`,
  ]) {
    for (const [first, second] of [
      ['Host', 'Host'],
      ['host', 'HOST'],
      ['Host', 'hOsT'],
    ]) {
      for (const values of [
        [SITE, SITE],
        [SITE, OTHER],
        [OTHER, SITE],
        [SITE, ''],
      ]) {
        const method = target.startsWith('/unblu') ? 'POST' : 'GET';
        heads.push({
          what: `${method} ${target} with ${first}: ${values[0]} and ${second}: ${values[1]}`,
          head: `${method} ${target} HTTP/1.1\r\n${first}: ${values[0]}\r\n${second}: ${values[1]}\r\n${close}`,
          status: 400,
          reaches: null,
        });
      }
    }
  }
  // Headers the Connection header names: dropped both ways.
  for (const [i, names] of [
    ['X-A'],
    ['x-a', 'X-B'],
    ['X-A', 'x-forwarded-for'],
    ['X-A', 'via'],
  ].entries()) {
    for (const path of ['/echo', '/hop']) {
      heads.push({
        what: `GET ${path} with Connection naming ${names.join(', ')} (${i})`,
        head:
          `GET ${path} HTTP/1.1\r\nHost: ${SITE}\r\nConnection: close, ${names.join(', ')}\r\n` +
          `${names.map((n) => `${n}: hop`).join('\r\n')}\r\nX-Kept: yes\r\n\r\n`,
        status: 200,
        reaches: path,
      });
    }
  }

  /** Sends every head once; what went wrong, one line per head. */
  const barrage = async (): Promise<string[]> => {
    const wrong: string[] = [];
    for (const h of heads) {
      const before = seen.length;
      const res = await rawRequest(port, h.head, {
        body: h.body,
        waitForContinue: h.body !== undefined,
      });
      const reached = seen.length > before ? seen.at(-1)! : null;
      const problems: string[] = [];
      if (res.status !== h.status) problems.push(`status ${res.status}, wanted ${h.status}`);
      if ((reached?.url ?? null) !== h.reaches) {
        problems.push(`site saw ${reached?.url ?? 'nothing'}, wanted ${h.reaches ?? 'nothing'}`);
      }
      if (reached && h.body !== undefined && reached.body !== h.body) problems.push('body changed');
      if (reached?.headers.expect !== undefined) problems.push('Expect forwarded');
      if (reached && (reached.headers['x-a'] ?? reached.headers['x-b']) !== undefined) {
        problems.push('a Connection-named request header was forwarded');
      }
      if (res.headers['x-secret'] !== undefined || res.headers['x-internal-id'] !== undefined) {
        problems.push('a Connection-named response header was passed on');
      }
      if (problems.length > 0) wrong.push(`${h.what}: ${problems.join('; ')}`);
    }
    return wrong;
  };
  /** Pantry's own metric series /metrics holds now (one line per label set). */
  const series = async () =>
    ownSeries((await pantry.http().get('/metrics').expect(200)).text).length;

  it(`answers ${heads.length} of them with their exact status, never a 5xx, with a bounded log and metrics`, async () => {
    expect(heads.length).toBeGreaterThan(300);
    const linesBefore = logger.lines.length;
    await series(); // the scrape's own series exist from here on
    expect(await barrage()).toEqual([]);
    const afterOnce = await series();
    // Sent again: not one more series (labels never take what a client sends).
    expect(await barrage()).toEqual([]);
    expect(await series()).toBe(afterOnce);

    // Nothing per request in the log (the access log is off here): no stack, no warning.
    const added = logger.lines.slice(linesBefore);
    expect(added).toEqual([]);
    // And the server still answers.
    await pantry.http().get('/health').expect(200);
  });
});
