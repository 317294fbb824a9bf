import { randomBytes } from 'node:crypto';
import { get as httpGet, METHODS } from 'node:http';
import { AddressInfo, connect, createServer } from 'node:net';
import parsePrometheus from 'parse-prometheus-text-format';
import { cookieHeader } from './helpers/cookies';
import { startServerProcess } from './helpers/server-process';
import { createWorkspace, eventually, TEST_ADMIN_TOKEN, useApp } from './helpers/test-app';
import { ownSeries } from './helpers/metrics';

const KEY = 'shop-key-0001';
const ORIGIN = 'https://www.shop.com';

interface Family {
  name: string;
  type: string;
  metrics: Array<{ value?: string; labels?: Record<string, string>; count?: string }>;
}

/** A counter's value for labels matching `where` (summed). */
function value(families: Family[], name: string, where: Record<string, string> = {}): number {
  const family = families.find((f) => f.name === name);
  if (!family) return 0;
  return family.metrics
    .filter((m) => Object.entries(where).every(([k, v]) => m.labels?.[k] === v))
    .reduce((sum, m) => sum + Number(m.value ?? m.count ?? 0), 0);
}

describe('operating Pantry: metrics, request ids, health', () => {
  const api = () => pantry.http();
  const seen: string[] = [];
  let lastText = '';

  const pantry = useApp({
    accounts: {
      shop: [
        `account.apiKeys = ${KEY}`,
        `server.cors.allowedOrigins = ${ORIGIN}`,
        'consent.required = false',
      ].join('\n'),
    },
  });

  const scrape = async (): Promise<Family[]> => {
    const res = await api().get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    for (const s of seen) expect(res.text).not.toContain(s);
    lastText = res.text;
    return parsePrometheus(res.text) as Family[];
  };
  const identify = (cookie = '', origin = ORIGIN) =>
    api()
      .post(`/unblu/v1/identify?x-unblu-apikey=${KEY}`)
      .set('Origin', origin)
      .set('Cookie', cookie);

  it('parses as Prometheus text, with the process defaults', async () => {
    const families = await scrape();
    expect(families.map((f) => f.name)).toEqual(
      expect.arrayContaining([
        'pantry_http_requests_total',
        'pantry_http_request_duration_seconds',
        'pantry_cookies_total',
        'pantry_origin_refusals_total',
        'pantry_registry_queue_depth',
        'pantry_registry_flush_duration_seconds',
        'pantry_registry_dropped_sightings_total',
        'pantry_config_reloads_total',
        'pantry_bridge_total',
        'pantry_login_total',
        'pantry_proxy_upstream_duration_seconds',
        'pantry_proxy_upstream_errors_total',
        'pantry_process_cpu_user_seconds_total',
        'pantry_nodejs_heap_size_used_bytes',
      ]),
    );
  });

  it('counters move by exactly the requests sent, and no label carries an id, a value or a token', async () => {
    const before = await scrape();
    const route = '/unblu/v1/identify';
    const fresh = await identify().expect(200);
    seen.push(fresh.body.visitorId, fresh.body.deviceId, fresh.body.sessionId);
    for (const c of (fresh.headers['set-cookie'] as unknown as string[]) ?? []) {
      seen.push(c.split(';')[0].split('=')[1]);
    }
    await identify(cookieHeader(fresh)).expect(200);
    await identify(cookieHeader(fresh)).expect(200);
    await identify('', 'https://evil.example').expect(403);
    await api()
      .post(`/unblu/v1/consent?x-unblu-apikey=${KEY}`)
      .set('Origin', ORIGIN)
      .set('Cookie', cookieHeader(fresh))
      .send({ granted: true })
      .expect(200);
    pantry.ws.write('accounts/shop.properties', 'account.apiKeys = shop-key-0001\nbogus.key = 1');
    await api()
      .post('/admin/v1/config/reload')
      .set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`)
      .expect(400);
    pantry.ws.write(
      'accounts/shop.properties',
      [
        `account.apiKeys = ${KEY}`,
        `server.cors.allowedOrigins = ${ORIGIN}`,
        'consent.required = false',
      ].join('\n'),
    );
    const after = await scrape();
    const delta = (name: string, where: Record<string, string>) =>
      value(after, name, where) - value(before, name, where);

    expect(delta('pantry_http_requests_total', { route, method: 'POST', status: '200' })).toBe(3);
    expect(delta('pantry_http_requests_total', { route, method: 'POST', status: '403' })).toBe(1);
    expect(delta('pantry_http_requests_total', { route: '/unblu/v1/consent', status: '200' })).toBe(
      1,
    );
    // (This parser drops the labels of histogram series: read the count line itself.)
    expect(lastText).toMatch(
      /pantry_http_request_duration_seconds_count\{[^}]*route="\/unblu\/v1\/identify"[^}]*status="200"[^}]*\} [1-9]/,
    );
    // New visitor: three cookies issued; two returning visits: device and visitor refreshed twice.
    for (const kind of ['device', 'anonymous-person', 'session']) {
      expect(delta('pantry_cookies_total', { kind, action: 'issued' })).toBe(1);
    }
    for (const kind of ['device', 'anonymous-person']) {
      // 2 returning identifies + the consent call re-sends them
      expect(delta('pantry_cookies_total', { kind, action: 'refreshed' })).toBe(3);
    }
    expect(delta('pantry_origin_refusals_total', { account: '-' })).toBe(1);
  });

  it('counts a failed reload once', async () => {
    const failed = async () =>
      value(await scrape(), 'pantry_config_reloads_total', { result: 'failed' });
    const start = await failed();
    pantry.ws.write('accounts/shop.properties', 'account.apiKeys = shop-key-0001\nbogus.key = 1');
    await eventually(async () => expect(await failed()).toBe(start + 1)); // the file watcher
    await api()
      .post('/admin/v1/config/reload')
      .set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`)
      .expect(400);
    expect(await failed()).toBe(start + 2);
    pantry.ws.write(
      'accounts/shop.properties',
      [
        `account.apiKeys = ${KEY}`,
        `server.cors.allowedOrigins = ${ORIGIN}`,
        'consent.required = false',
      ].join('\n'),
    );
    await eventually(async () =>
      expect(
        value(await scrape(), 'pantry_config_reloads_total', { result: 'ok' }),
      ).toBeGreaterThan(0),
    );
  });

  it('counts rejected values by reason', async () => {
    const before = await scrape();
    await identify(`x-unblu-${KEY}-device=forged.value`).expect(200);
    const after = await scrape();
    expect(
      value(after, 'pantry_cookies_total', {
        kind: 'device',
        action: 'rejected',
        reason: 'invalid',
      }) -
        value(before, 'pantry_cookies_total', {
          kind: 'device',
          action: 'rejected',
          reason: 'invalid',
        }),
    ).toBe(1);
  });

  it('echoes a well-formed incoming X-Request-Id, and makes one up otherwise', async () => {
    const traced = await identify().set('X-Request-Id', 'trace-0123456789').expect(200);
    expect(traced.headers['x-request-id']).toBe('trace-0123456789');
    const junk = await identify().set('X-Request-Id', 'bad id with spaces').expect(200);
    expect(junk.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const admin = await api().get('/health').set('X-Request-Id', 'trace-admin-0001').expect(200);
    expect(admin.headers['x-request-id']).toBe('trace-admin-0001');
    const error = await api().get('/no/such/route').expect(404);
    expect(error.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers liveness and readiness', async () => {
    expect((await api().get('/health/live').expect(200)).body).toEqual({ status: 'ok' });
    expect((await api().get('/health/ready').expect(200)).body).toMatchObject({
      status: 'ready',
      database: 'ok',
    });
  });
});

/** One request over its own connection, written as is (any method token); its status, or 0. */
function rawRequest(port: number, head: string): Promise<number> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.setTimeout(5_000, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0)));
    socket.end(head);
  });
}

describe('metrics under what clients choose: methods, paths, keys, headers', () => {
  let port: number;
  const sent: string[] = [];

  const pantry = useApp({
    // Account labels on: still only for accounts that exist, whatever key a request names.
    app: 'server.metricsPerAccount = true',
    accounts: { shop: [`account.apiKeys = ${KEY}`, 'consent.required = false'].join('\n') },
  });
  beforeAll(async () => {
    await pantry.app.listen(0, '127.0.0.1');
    port = (pantry.app.getHttpServer().address() as AddressInfo).port;
  });

  /** Pantry's own series (one per sample line; the process defaults aside) and the text. */
  async function series(): Promise<{ lines: string[]; bytes: number }> {
    const res = await pantry.http().get('/metrics').expect(200);
    const lines = ownSeries(res.text);
    return { lines, bytes: res.text.length };
  }

  /** Every method Node parses, and tokens it does not: each with a spread of paths. */
  async function round(): Promise<void> {
    const methods = [...METHODS, 'FOO', 'X-PANTRY-1', 'brew', 'get', 'G3T'];
    const token = () => {
      const t = randomBytes(8).toString('hex');
      sent.push(t);
      return t;
    };
    const paths = () => [
      `/${token()}`,
      `/unblu/v1/${token()}`,
      `/unblu/v1/identify?x-unblu-apikey=${token()}`,
      `/unblu/visitor.js?x-unblu-apikey=${token()}`,
      `/admin/v1/accounts/${token()}`,
      `/admin/v1/accounts/shop/customers/${token()}`,
      `/admin/v1/accounts/%zz${token()}`,
      `/health/${token()}/${token()}`,
    ];
    const heads = methods.flatMap((method) =>
      paths().map(
        (path) =>
          `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
          `X-Unblu-Apikey: ${token()}\r\nAuthorization: Bearer ${token()}\r\n` +
          `Origin: https://${token()}.test\r\nX-${token()}: ${token()}\r\n` +
          `X-Request-Id: ${token()}${token()}\r\nConnection: close\r\n\r\n`,
      ),
    );
    const statuses: number[] = [];
    for (let i = 0; i < heads.length; i += 8) {
      statuses.push(...(await Promise.all(heads.slice(i, i + 8).map((h) => rawRequest(port, h)))));
    }
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
  }

  it('no label set grows with what the requests carry', async () => {
    const before = await series();
    await round(); // 40 methods × 8 paths
    const once = await series();
    await round();
    const twice = await series();
    // The second round, as hostile as the first, adds nothing: the labels are bounded.
    expect(twice.lines.length).toBe(once.lines.length);
    // Each route/method/status is a histogram (18 lines) and a counter: 8 method labels and a
    // handful of statuses (measured: 514 lines, 55 KB), not one per method Node parses.
    expect(once.lines.length - before.lines.length).toBeLessThan(700);
    expect(twice.bytes - before.bytes).toBeLessThan(80_000);
    const methods = new Set(twice.lines.flatMap((l) => /method="([^"]*)"/.exec(l)?.[1] ?? []));
    for (const m of methods) {
      expect(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'other']).toContain(m);
    }
    expect(methods).toContain('other');
    const accounts = new Set(twice.lines.flatMap((l) => /account="([^"]*)"/.exec(l)?.[1] ?? []));
    for (const a of accounts) expect(['shop', '-']).toContain(a);
    const routes = new Set(twice.lines.flatMap((l) => /route="([^"]*)"/.exec(l)?.[1] ?? []));
    for (const r of routes) expect(r === '(unrouted)' || r.startsWith('/')).toBe(true);
    const text = twice.lines.join('\n');
    for (const t of sent) expect(text).not.toContain(t);
  });
});

describe('JSON logs of a real process', () => {
  it('every line is JSON; lines written while answering a request carry its id', async () => {
    // An upstream that is down: document mode logs a warning inside the request.
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', () => r()));
    const port = (dead.address() as { port: number }).port;
    await new Promise((r) => dead.close(r));
    const ws = createWorkspace({
      app: 'server.logFormat = json',
      accounts: {
        shop: [
          `account.apiKeys = ${KEY}`,
          'proxy.hosts = www.down.test',
          `proxy.upstream = http://127.0.0.1:${port}`,
        ].join('\n'),
      },
    });
    const server = startServerProcess({
      PANTRY_CONFIG_DIR: ws.configDir,
      PANTRY_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    });
    try {
      const base = await server.listening;
      const res = await new Promise<{ status: number; id: string }>((resolve, reject) => {
        const url = new URL(base);
        // node:http, not fetch: the Host header is the point.
        httpGet(
          {
            host: url.hostname,
            port: url.port,
            path: '/',
            headers: { host: 'www.down.test', 'x-request-id': 'trace-log-000001' },
          },
          (r) => {
            r.resume();
            r.on('end', () =>
              resolve({ status: r.statusCode ?? 0, id: String(r.headers['x-request-id']) }),
            );
          },
        ).on('error', reject);
      });
      expect(res).toEqual({ status: 502, id: 'trace-log-000001' });
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      await server.stop();
      ws.remove();
    }
    const lines = server
      .output()
      .trim()
      .split('\n')
      .filter((l) => l !== '');
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.length).toBeGreaterThan(2);
    for (const line of parsed) {
      expect(line).toMatchObject({
        level: expect.any(String),
        time: expect.any(String),
        msg: expect.any(String),
      });
    }
    const upstream = parsed.find((l) => String(l.msg).includes('upstream of account'));
    expect(upstream).toMatchObject({ level: 'warn', reqId: 'trace-log-000001' });
    expect(server.output()).not.toContain(TEST_ADMIN_TOKEN);
  });
});
