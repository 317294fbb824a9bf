import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { get as httpGet } from 'node:http';
import { createServer } from 'node:net';
import parsePrometheus from 'parse-prometheus-text-format';
import request from 'supertest';
import { cookieHeader } from './helpers/cookies';
import { startServerProcess } from './helpers/server-process';
import {
  createWorkspace,
  eventually,
  startApp,
  TEST_ADMIN_TOKEN,
  TestWorkspace,
} from './helpers/test-app';

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
  let ws: TestWorkspace;
  let app: NestFastifyApplication;
  const api = () => request(app.getHttpServer());
  const seen: string[] = [];
  let lastText = '';

  beforeAll(async () => {
    ws = createWorkspace({
      accounts: {
        shop: [
          `account.apiKeys = ${KEY}`,
          `server.cors.allowedOrigins = ${ORIGIN}`,
          'consent.required = false',
        ].join('\n'),
      },
    });
    app = await startApp(ws);
  });
  afterAll(async () => {
    await app.close();
    ws.remove();
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
    ws.write('accounts/shop.properties', 'account.apiKeys = shop-key-0001\nbogus.key = 1');
    await api()
      .post('/admin/v1/config/reload')
      .set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`)
      .expect(400);
    ws.write(
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
    ws.write('accounts/shop.properties', 'account.apiKeys = shop-key-0001\nbogus.key = 1');
    await eventually(async () => expect(await failed()).toBe(start + 1)); // the file watcher
    await api()
      .post('/admin/v1/config/reload')
      .set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`)
      .expect(400);
    expect(await failed()).toBe(start + 2);
    ws.write(
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
