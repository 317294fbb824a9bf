import { SignJWT } from 'jose';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import request from 'supertest';
import { AccessLine, AccessLogService } from '../src/http/access-log';
import { JsonLogger } from '../src/logging/json-logger';
import { cookieHeader } from './helpers/cookies';
import { startServerProcess } from './helpers/server-process';
import { createWorkspace, TEST_ADMIN_TOKEN, useApp } from './helpers/test-app';

const KEY = 'shop-key-0001';
const SECRET = 'shop-assertion-secret-0123456789-abcdef';
const CUSTOMER = 'customer-4711-secret';

type Line = AccessLine & { readonly level: string; readonly time: string };

/** Login and a bridge on: their failures are what the access log is for. */
const SHOP = [
  'server.cors.allowedOrigins = https://www.shop.test, https://www.other.test',
  'bridge.targets = https://www.other.test',
  `authentication.assertionSecret = ${SECRET}`,
  `account.apiKeys = ${KEY}`,
  'consent.required = false',
];

function assertion(aud: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sub: CUSTOMER, aud, iat: now, exp: now + 120, jti: `j-${aud}-${now}` })
    .setProtectedHeader({ alg: 'HS256' })
    .sign(new TextEncoder().encode(SECRET));
}

/** A JSON logger whose lines go to `write`, as a process's would go to stdout. */
function jsonLogger(write: (text: string) => void): JsonLogger {
  return new JsonLogger(
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        write(chunk.toString('utf8'));
        done();
      },
    }),
  );
}

describe('access log (server.accessLog)', () => {
  let output = '';
  const api = () => pantry.http();
  const admin = (t: request.Test) => t.set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`);
  const identify = (cookie = '', key = KEY) =>
    api().post(`/unblu/v1/identify?x-unblu-apikey=${key}`).set('Cookie', cookie);
  /** Access lines written since `from` (an offset in the output). */
  const linesSince = (from: number): Line[] => {
    pantry.app.get(AccessLogService).flush();
    return (
      output
        .slice(from)
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Line)
        // (the reloads that set the level log themselves as their answer finishes, racing the test)
        .filter((l) => l.msg === 'request' && l.route !== '/admin/v1/config/reload')
    );
  };
  /** Everything the test sent or received that must never be logged. */
  const secrets = new Set<string>([KEY, SECRET, CUSTOMER, '127.0.0.1', '::ffff:']);
  const setLevel = async (level: string) => {
    pantry.ws.write(
      'application.properties',
      `server.accessLog = ${level}\ndatabase.url = ${pantry.ws.databaseUrl}\n`,
    );
    await admin(api().post('/admin/v1/config/reload')).expect(200);
  };

  const pantry = useApp(
    { accounts: { shop: SHOP.join('\n') } },
    { logger: jsonLogger((text) => (output += text)) },
  );

  afterEach(() => {
    // Whatever a test did, no line carries an id, cookie value, token, key or address.
    for (const s of secrets) expect(output).not.toContain(s);
  });

  const remember = (res: request.Response) => {
    for (const c of ([] as string[]).concat(res.headers['set-cookie'] ?? [])) {
      secrets.add(c.split(';')[0].split('=').slice(1).join('='));
    }
    const body = res.body as Record<string, unknown>;
    for (const k of ['visitorId', 'deviceId', 'sessionId', 'customerId', 'token']) {
      if (typeof body[k] === 'string') secrets.add(body[k]);
    }
    return res;
  };

  it('at errors (the default): refusals and failures, not the answers that went well', async () => {
    const from = output.length;
    const first = remember(await identify().expect(200));
    remember(await identify(cookieHeader(first)).expect(200));
    const refused = await identify().set('Origin', 'https://evil.test').expect(403);
    const unknown = await identify('', 'unknown-key-0001').expect(401);
    // A bridge that failed is a failure, though the visitor is answered 200.
    const forged = 'forged-bridge-token-fedcba9876543210';
    secrets.add(forged);
    remember(await identify(cookieHeader(first)).set('x-unblu-bridge', forged).expect(200));
    expect(linesSince(from)).toEqual([
      {
        level: 'info',
        time: expect.any(String) as string,
        context: 'AccessLog',
        msg: 'request',
        reqId: refused.headers['x-request-id'],
        method: 'POST',
        route: '/unblu/v1/identify',
        status: 403,
        ms: expect.any(Number) as number,
        account: 'shop',
        outcome: 'origin_not_allowed',
      },
      expect.objectContaining({
        reqId: unknown.headers['x-request-id'],
        status: 401,
        account: '-',
        outcome: 'unknown_api_key',
      }),
      expect.objectContaining({ status: 200, account: 'shop', outcome: 'invalid' }),
    ]);
  });

  it('at all: every request on every path, with its route template and outcome', async () => {
    await setLevel('all');
    const from = output.length;
    const first = remember(await identify().expect(200));
    const cookie = cookieHeader(first);
    remember(await identify(cookie).expect(200));
    remember(
      await api()
        .post(`/unblu/v1/bridge?x-unblu-apikey=${KEY}`)
        .set('Cookie', cookie)
        .send({ to: 'https://www.other.test/cart' })
        .expect(200),
    );
    const forged = 'forged-bridge-token-0123456789abcdef';
    secrets.add(forged);
    remember(await identify(cookie).set('x-unblu-bridge', forged).expect(200));
    const wrongAud = await assertion('news');
    secrets.add(wrongAud);
    await api()
      .post(`/unblu/v1/login?x-unblu-apikey=${KEY}`)
      .set('Cookie', cookie)
      .send({ assertion: wrongAud })
      .expect(401);
    const good = await assertion('shop');
    secrets.add(good);
    remember(
      await api()
        .post(`/unblu/v1/login?x-unblu-apikey=${KEY}`)
        .set('Cookie', cookie)
        .send({ assertion: good })
        .expect(200),
    );
    // Fastify's side: the snippet (GET), a preflight, admin and unrouted requests.
    const snippet = await api().get(`/unblu/visitor.js?x-unblu-apikey=${KEY}`);
    // Bodies the dispatcher leaves to Fastify: answered there, and refused there.
    await identify(cookie).set('Content-Type', 'text/plain').send('hello').expect(200);
    const textConsent = await api()
      .post(`/unblu/v1/consent?x-unblu-apikey=${KEY}`)
      .set('Cookie', cookie)
      .set('Content-Type', 'text/plain')
      .send('{"granted":true}')
      .expect(400);
    await api()
      .options(`/unblu/v1/identify?x-unblu-apikey=${KEY}`)
      .set('Origin', 'https://www.shop.test')
      .set('Access-Control-Request-Method', 'POST')
      .expect(204);
    const noToken = await api().get('/admin/v1/accounts').expect(401);
    await admin(api().get('/admin/v1/accounts/shop')).expect(200);
    await api()
      .get(`/no/such/${first.body.visitorId as string}`)
      .expect(404);

    const lines = linesSince(from);
    expect(lines.map((l) => [l.method, l.route, l.status, l.account, l.outcome])).toEqual([
      ['POST', '/unblu/v1/identify', 200, 'shop', 'issued'],
      ['POST', '/unblu/v1/identify', 200, 'shop', 'refreshed'],
      ['POST', '/unblu/v1/bridge', 200, 'shop', 'token_issued'],
      ['POST', '/unblu/v1/identify', 200, 'shop', 'invalid'],
      ['POST', '/unblu/v1/login', 401, 'shop', 'invalid_assertion'],
      ['POST', '/unblu/v1/login', 200, 'shop', expect.stringMatching(/^(issued|refreshed)$/)],
      ['GET', '/unblu/visitor.js', snippet.status, 'shop', 'ok'],
      ['POST', '/unblu/v1/identify', 200, 'shop', 'refreshed'],
      ['POST', '/unblu/v1/consent', 400, 'shop', textConsent.body.error as string],
      ['OPTIONS', '/unblu/v1/identify', 204, 'shop', 'ok'],
      ['GET', '/admin/v1/accounts', 401, '-', noToken.body.error as string],
      ['GET', '/admin/v1/accounts/:id', 200, '-', 'ok'],
      ['GET', '(unrouted)', 404, '-', 'not_found'],
    ]);
    for (const l of lines) {
      expect(Object.keys(l).sort()).toEqual(
        [
          'level',
          'time',
          'context',
          'msg',
          'reqId',
          'method',
          'route',
          'status',
          'ms',
          'account',
          'outcome',
        ].sort(),
      );
      expect(l.ms).toBeGreaterThanOrEqual(0);
    }
  });

  it('at off: nothing, until a reload turns it on again', async () => {
    await setLevel('off');
    const from = output.length;
    await identify().set('Origin', 'https://evil.test').expect(403);
    await identify('', 'unknown-key-0001').expect(401);
    await api().get('/no/such/route').expect(404);
    expect(linesSince(from)).toEqual([]);
    await setLevel('errors');
    await identify('', 'unknown-key-0001').expect(401);
    expect(linesSince(from).map((l) => l.outcome)).toEqual(['unknown_api_key']);
  });
});

describe('access log of a real process', () => {
  it('writes JSON lines on stdout, the last ones flushed when it stops', async () => {
    const ws = createWorkspace({
      app: 'server.accessLog = all\nserver.logFormat = json',
      accounts: { shop: SHOP.join('\n') },
    });
    try {
      const server = startServerProcess({
        PANTRY_CONFIG_DIR: ws.configDir,
        PANTRY_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      });
      const base = await server.listening;
      const res = await fetch(`${base}/unblu/v1/identify?x-unblu-apikey=${KEY}`, {
        method: 'POST',
        headers: { 'x-request-id': 'trace-0123456789' },
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { visitorId: string; deviceId: string };
      // Within the 200 ms batch: the line is written when the process stops, not lost.
      await server.stop();
      const text = server
        .output()
        .split('\n')
        .filter((l) => l.includes('"context":"AccessLog"'));
      const lines = text.map((l) => JSON.parse(l) as Line);
      expect(lines).toEqual([
        expect.objectContaining({
          reqId: 'trace-0123456789',
          method: 'POST',
          route: '/unblu/v1/identify',
          status: 200,
          account: 'shop',
          outcome: 'issued',
        }),
      ]);
      for (const secret of [body.visitorId, body.deviceId, KEY]) {
        expect(server.output()).not.toContain(secret);
      }
      expect(text.join('\n')).not.toContain('127.0.0.1');
    } finally {
      ws.remove();
    }
  });
});

describe('access log of document mode and the snippet stand-in', () => {
  let upstream: Server;
  let deadPort: number;
  let output = '';
  const lines = (): Line[] => {
    pantry.app.get(AccessLogService).flush();
    return output
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Line)
      .filter((l) => l.msg === 'request');
  };

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      res.writeHead(req.url === '/missing' ? 404 : 200, { 'content-type': 'text/html' });
      res.end('<html></html>');
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    deadPort = (dead.address() as AddressInfo).port;
    await new Promise((r) => dead.close(r));
  });
  const pantry = useApp(
    () => ({
      app: 'server.accessLog = all',
      accounts: {
        shop: [
          `account.apiKeys = ${KEY}`,
          'proxy.hosts = www.shop.test',
          `proxy.upstream = http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
        ].join('\n'),
        down: [
          'account.apiKeys = down-key-0001',
          'proxy.hosts = www.down.test',
          `proxy.upstream = http://127.0.0.1:${deadPort}`,
        ].join('\n'),
      },
    }),
    { logger: jsonLogger((text) => (output += text)) },
  );

  afterAll(async () => {
    await new Promise((r) => upstream.close(r));
  });

  it('logs proxied pages with their account and the upstream failure, never the URL', async () => {
    const api = () => pantry.http();
    await api().get('/products?token=secret-query-0001').set('Host', 'www.shop.test').expect(200);
    await api().get('/missing').set('Host', 'www.shop.test').expect(404);
    await api().get('/').set('Host', 'www.down.test').expect(502);
    const proxied = lines().filter((l) => l.route === '(document mode)');
    expect(proxied.map((l) => [l.status, l.account, l.outcome])).toEqual([
      [200, 'shop', 'ok'],
      [404, 'shop', 'not_found'],
      [502, 'down', 'upstream_unreachable'],
    ]);
    expect(output).not.toContain('secret-query-0001');
  });

  it('logs edge answers with the account of the page’s host and what they did, never the URI', async () => {
    const edge = (host: string, uri: string) =>
      pantry.http().get('/unblu/v1/edge').set('Host', host).set('X-Forwarded-Uri', uri);
    const first = await edge('www.shop.test', '/cart?token=secret-uri-0001').expect(204);
    const cookie = ['1', '2', '3']
      .map((i) => first.headers[`x-unblu-edge-cookie-${i}`] as string | undefined)
      .filter((l): l is string => l !== undefined)
      .map((l) => l.split(';')[0])
      .join('; ');
    await edge('www.shop.test', '/cart').set('Cookie', cookie).expect(204);
    await edge('www.shop.test', '/unblu/visitor.js').expect(204);
    await edge('www.nobody.test', '/').expect(404);
    const answers = lines().filter((l) => l.route === '/unblu/v1/edge');
    expect(answers.map((l) => [l.status, l.account, l.outcome])).toEqual([
      [204, 'shop', 'issued'],
      [204, 'shop', 'refreshed'],
      [204, 'shop', 'not_a_document'],
      [404, '-', 'account_not_found'],
    ]);
    expect(output).not.toContain('secret-uri-0001');
    expect(output).not.toContain(cookie.split(';')[0].split('=')[1]);
  });

  it('logs the snippet stand-in for an unknown key as the refusal it is', async () => {
    await pantry.http().get('/unblu/visitor.js?x-unblu-apikey=unknown-key-0001').expect(200);
    const standIn = lines().filter((l) => l.route === '/unblu/visitor.js');
    expect(standIn.map((l) => [l.status, l.outcome])).toEqual([[200, 'unknown_api_key']]);
    expect(output).not.toContain('unknown-key-0001');
  });
});
