import type { Browser } from 'playwright-core';
import request from 'supertest';
import { describeWithBrowser, launchBrowser } from './browser/harness';
import { freePort } from './helpers/nginx';
import { startServerProcess } from './helpers/server-process';
import { createWorkspace, TEST_ADMIN_TOKEN, TestWorkspace, useApp } from './helpers/test-app';

jest.setTimeout(60_000);

const AUTH = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
const SHOP = 'account.apiKeys = shop-key-0001';
// The demo page needs a Host with a port, as a browser sends it.
const DEMO = 'account.apiKeys = demo-key-0001\nserver.cors.allowedOrigins = http://localhost:3000';

/** The operator routes SPEC §13 names, each with what it answers when it is served. */
const OPERATOR_ROUTES: Array<[string, Record<string, string>, number]> = [
  ['/admin/v1/accounts', AUTH, 200],
  ['/admin/docs', {}, 200],
  ['/admin/docs-json', {}, 200],
  ['/admin/', {}, 200],
  ['/metrics', {}, 200],
  ['/', { host: 'localhost:4000' }, 200],
];
const IDENTIFY = '/unblu/v1/identify?x-unblu-apikey=shop-key-0001';

type Target = Parameters<typeof request>[0];

/** What an unknown route answers: the operator routes must be indistinguishable from it. */
async function unknownRoute(target: Target, path: string, method: 'get' | 'post' = 'get') {
  const res = await request(target)[method]('/no-such-route-anywhere').expect(404);
  return JSON.parse(
    JSON.stringify(res.body).replaceAll('/no-such-route-anywhere', path),
  ) as unknown;
}

describe('operator routes on server.adminPort', () => {
  let port: number;
  let admin: string;

  beforeAll(async () => {
    port = await freePort();
    admin = `http://127.0.0.1:${port}`;
  });
  const pantry = useApp(() => ({
    app: `server.adminPort = ${port}`,
    accounts: { shop: SHOP, demo: DEMO },
  }));

  it.each(OPERATOR_ROUTES)(
    '%s answers on the admin port, and on the main port as an unknown route',
    async (path, headers, status) => {
      await request(admin).get(path).set(headers).expect(status);
      const main = await pantry.http().get(path).set(headers).expect(404);
      expect(main.body).toEqual(await unknownRoute(pantry.app.getHttpServer(), path));
      // Fastify's automatic HEAD routes are guarded too.
      await pantry.http().head(path).set(headers).expect(404);
      await request(admin).head(path).set(headers).expect(status);
    },
  );

  it('the visitor API answers on the main port only', async () => {
    await pantry.http().post(IDENTIFY).expect(200);
    const res = await request(admin).post(IDENTIFY).expect(404);
    expect(res.body).toEqual(await unknownRoute(admin, IDENTIFY, 'post'));
    await request(admin).get('/unblu/visitor.js?x-unblu-apikey=shop-key-0001').expect(404);
  });

  it.each(['/health', '/health/live', '/health/ready'])(
    '%s answers on both ports (load balancers probe the main one)',
    async (path) => {
      await pantry.http().get(path).expect(200);
      await request(admin).get(path).expect(200);
    },
  );

  it('the demo page on the admin port loads its snippet from the main port', async () => {
    await pantry.app.listen(0, '127.0.0.1');
    const main = (pantry.app.getHttpServer().address() as { port: number }).port;
    const res = await request(admin).get('/').set('host', 'localhost:4000').expect(200);
    expect(res.text).toContain(`src="http://127.0.0.1:${main}/unblu/visitor.js?x-unblu-apikey=`);
    expect(res.text).not.toContain('127.0.0.1:4000');
  });
});

describe('operator routes through a trusted proxy, without server.adminPort', () => {
  const appProperties = (viaProxy: boolean, dataDir = pantry.ws.dataDir) =>
    `server.trustProxy = true\nserver.operatorRoutesViaProxy = ${viaProxy}\ndatabase.url = sqlite:${dataDir}/pantry.sqlite`;

  const pantry = useApp({
    app: (dataDir) => appProperties(false, dataDir),
    accounts: { shop: SHOP, demo: DEMO },
  });

  const PROXIES: Array<[string, Record<string, string>]> = [
    ['X-Forwarded-Prefix', { 'x-forwarded-prefix': '/pantry' }],
    ['X-Forwarded-Host', { 'x-forwarded-host': 'www.shop.com' }],
  ];

  it.each(OPERATOR_ROUTES)('%s answers directly, and 404 through the proxy', async (path, h, s) => {
    const server = pantry.app.getHttpServer();
    await request(server).get(path).set(h).expect(s);
    for (const [, proxy] of PROXIES) {
      const res = await request(server)
        .get(path)
        .set({ ...h, ...proxy })
        .expect(404);
      expect(res.body).toEqual(await unknownRoute(server, path));
    }
  });

  it.each(PROXIES)(
    'the visitor API and health answer through the proxy (%s)',
    async (_n, proxy) => {
      const server = pantry.app.getHttpServer();
      await request(server).post(IDENTIFY).set(proxy).expect(200);
      await request(server)
        .get('/unblu/visitor.js?x-unblu-apikey=shop-key-0001')
        .set(proxy)
        .expect(200);
      await request(server).get('/health/ready').set(proxy).expect(200);
    },
  );

  it('server.operatorRoutesViaProxy = true (GLOBAL, hot-reloaded) serves them through the proxy', async () => {
    const server = pantry.app.getHttpServer();
    pantry.ws.write('application.properties', appProperties(true));
    await request(server).post('/admin/v1/config/reload').set(AUTH).expect(200);
    try {
      for (const [path, headers, status] of OPERATOR_ROUTES) {
        for (const [, proxy] of PROXIES) {
          await request(server)
            .get(path)
            .set({ ...headers, ...proxy })
            .expect(status);
        }
      }
    } finally {
      pantry.ws.write('application.properties', appProperties(false));
      await request(server).post('/admin/v1/config/reload').set(AUTH).expect(200);
    }
    await request(server).get('/metrics').set({ 'x-forwarded-host': 'www.shop.com' }).expect(404);
  });
});

describe('without server.trustProxy; the admin API documentation', () => {
  const pantry = useApp({ accounts: { shop: SHOP } });

  it('ignores X-Forwarded-* (they are not read at all): the operator routes answer', async () => {
    await pantry
      .http()
      .get('/admin/v1/accounts')
      .set({ ...AUTH, 'x-forwarded-prefix': '/pantry', 'x-forwarded-host': 'www.shop.com' })
      .expect(200);
  });

  it('shows the auth header as code (Markdown would swallow <admin token> as a tag), bearer not JWT', async () => {
    const res = await pantry.http().get('/admin/docs-json').expect(200);
    const doc = res.body as {
      info: { description: string };
      components: { securitySchemes: Record<string, Record<string, unknown>> };
    };
    expect(doc.info.description).toContain('`Authorization: Bearer <admin token>`');
    // Outside a code span, every `<` would be read as the start of an HTML tag.
    const outsideCode = doc.info.description.replace(/`[^`]*`/g, '');
    expect(outsideCode).not.toContain('<');
    const bearer = doc.components.securitySchemes.bearer;
    expect(bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(bearer.bearerFormat).toBeUndefined();
    expect(String(bearer.description)).toContain('not a JWT');
  });
});

describe('server.metricsPort with server.adminPort', () => {
  let metricsPort: number;
  let adminPort: number;
  beforeAll(async () => {
    metricsPort = await freePort();
    adminPort = await freePort();
  });
  const pantry = useApp(
    () => ({
      app: `server.adminPort = ${adminPort}\nserver.metricsPort = ${metricsPort}`,
      accounts: { shop: SHOP },
    }),
    { env: { HOST: '127.0.0.1' } },
  );

  it('metricsPort wins for /metrics: there only, neither on the admin nor on the main port', async () => {
    await request(`http://127.0.0.1:${metricsPort}`).get('/metrics').expect(200);
    await request(`http://127.0.0.1:${adminPort}`).get('/metrics').expect(404);
    await pantry.http().get('/metrics').expect(404);
    await request(`http://127.0.0.1:${adminPort}`).get('/admin/v1/accounts').set(AUTH).expect(200);
  });
});

describe('the start-up log of a real process', () => {
  let ws: TestWorkspace;
  afterEach(() => ws.remove());

  it('has one line for the routes, none per route or module', async () => {
    const adminPort = await freePort();
    ws = createWorkspace({
      app: `server.logFormat = pretty\nserver.adminPort = ${adminPort}`,
      accounts: { shop: SHOP },
    });
    const server = startServerProcess({
      PANTRY_CONFIG_DIR: ws.configDir,
      PANTRY_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    });
    let startup: string;
    try {
      await server.listening;
      startup = server.output();
    } finally {
      await server.stop();
    }
    // Everything written up to the "listening on" line.
    const lines = startup
      .slice(0, startup.indexOf('\n', startup.indexOf('listening on')) + 1)
      .split('\n')
      .filter((l) => l.trim() !== '');
    const routes = lines.filter((l) => l.includes('routes: '));
    expect(routes).toHaveLength(1);
    expect(routes[0]).toContain(
      'routes: visitor API at /unblu, admin API at /admin/v1, admin docs at /admin/docs, metrics at /metrics, health at /health, demo at /',
    );
    expect(routes[0]).toContain(`operator routes only on http://127.0.0.1:${adminPort}`);
    expect(
      lines.filter((l) => /Mapped \{|RouterExplorer|RoutesResolver|InstanceLoader/.test(l)),
    ).toEqual([]);
    // Starting, the routes, started, listening: a handful, not ~55.
    expect(lines.length).toBeLessThanOrEqual(6);
  });
});

describeWithBrowser('the admin API documentation page, in Chromium', () => {
  // Jest runs afterAll hooks in the order they are declared: the browser, and with it its
  // keep-alive connections, goes before the app is closed.
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  const pantry = useApp({ accounts: { shop: SHOP } });
  beforeAll(async () => {
    await pantry.app.listen(0, '127.0.0.1');
  });

  it('renders the auth header text, <admin token> included', async () => {
    const page = await browser.newPage();
    await page.goto(`${await pantry.app.getUrl()}/admin/docs`);
    const description = page.locator('.info .description, .info .markdown').first();
    await description.waitFor({ timeout: 15_000 });
    expect(await description.innerText()).toContain('Authorization: Bearer <admin token>');
  });
});
