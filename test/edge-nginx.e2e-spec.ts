/**
 * Edge mode as an operator runs it (SPEC §16): the README's nginx block, in Debian's nginx, in
 * front of a small site server, asking a real Pantry process (on SQLite, and on PostgreSQL in
 * the e2e-postgres project) for each navigation's cookies. Then Pantry answering an error,
 * silenced with SIGSTOP past the block's timeout, and stopped: the site's pages are served all
 * the same, without Pantry's cookies, and never a 5xx because of Pantry.
 */
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import {
  Answer,
  cookieLine,
  cookieName,
  edgeAnswers,
  jar,
  NAVIGATION,
  pantryCookies,
  send,
  visitorOf as visitorIn,
} from './helpers/edge-page';
import { edgeReadTimeoutMs, RunningNginx, startEdgeNginx } from './helpers/nginx';
import { ServerProcess, startServerProcess } from './helpers/server-process';
import { startSite } from './browser/harness';
import { createWorkspace, eventually, TEST_ADMIN_TOKEN, TestWorkspace } from './helpers/test-app';

jest.setTimeout(120_000);

const SHOP = 'www.shop.test';
const GATED = 'www.gated.test';
const KEY = 'shop-key-0001';
const GATED_KEY = 'gated-key-0001';
const DAYS_400 = '34560000';
const name = cookieName;
/** Segment's anonymous id, as analytics.js writes it (JSON-quoted, percent-encoded). */
const AJS = '%22a1b2c3d4-0000-4000-8000-000000000001%22';

/** The most the README's block lets a page wait for Pantry on an open connection, in ms. */
const READ_TIMEOUT_MS = edgeReadTimeoutMs();

/** The visitor id of this suite's shop in an answer. */
const visitorOf = (answer: Answer, key = KEY) => visitorIn(answer, key);

/** The site's own server: pages, an asset, an API, a form, a redirect and an error. */
async function startShop(): Promise<Awaited<ReturnType<typeof startSite>> & { posted: string[] }> {
  const posted: string[] = [];
  const site = await startSite([
    (req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const path = req.url?.split('?')[0];
        const html = (status: number, headers: Record<string, string | string[]> = {}) =>
          res
            .writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...headers })
            .end(`<!doctype html><title>shop</title><p>${status} ${path}</p>`);
        if (req.method === 'POST' && path === '/form') {
          posted.push(body);
          return html(200);
        }
        switch (path) {
          case '/':
          case '/page':
            return html(200, {
              'set-cookie': ['site_cart=42; Path=/', 'site_lang=en; Path=/'],
              'cache-control': 'max-age=60',
            });
          case '/app.js':
            return res.writeHead(200, { 'content-type': 'text/javascript' }).end('console.log(1)');
          case '/api':
            return res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
          case '/go':
            return res.writeHead(302, { location: '/page' }).end();
          case '/boom':
            return html(500);
          default:
            return html(404);
        }
      });
      return true;
    },
  ]);
  return { ...site, posted };
}

describe('edge mode: the README nginx block in front of a site, asking a real Pantry process', () => {
  let ws: TestWorkspace;
  let pantry: ServerProcess;
  let pantryUrl: string;
  let site: Awaited<ReturnType<typeof startShop>>;
  let nginx: RunningNginx;
  const page = (host: string, path: string, options?: Parameters<typeof send>[3]) =>
    send(nginx.port, host, path, options);
  const navigate = (host: string, path = '/', headers: Record<string, string> = {}) =>
    page(host, path, { headers: { ...NAVIGATION, ...headers } });

  beforeAll(async () => {
    ws = createWorkspace({
      app: 'server.trustProxy = true\nserver.maxConnectionsPerAddress = 0',
      accounts: {
        shop: [
          `account.apiKeys = ${KEY}`,
          `proxy.hosts = ${SHOP}, shop.test`,
          'identifier.cookieDomain = AUTO',
          'consent.required = false',
          'keeper.cookies = segment',
        ].join('\n'),
        gated: [
          `account.apiKeys = ${GATED_KEY}`,
          `proxy.hosts = ${GATED}`,
          'identifier.cookieDomain = AUTO',
        ].join('\n'),
      },
    });
    pantry = startServerProcess({
      PANTRY_CONFIG_DIR: ws.configDir,
      PANTRY_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    });
    site = await startShop();
    pantryUrl = await pantry.listening;
    nginx = await startEdgeNginx({ pantry: Number(new URL(pantryUrl).port), site: site.port });
    // The first answers of a fresh process are slow (modules load on first use): not a page's.
    await eventually(async () => {
      expect(pantryCookies(await navigate(SHOP))).not.toEqual([]);
    }, 30_000);
  }, 90_000);

  afterAll(async () => {
    await pantry?.stop();
    await nginx?.stop();
    await site?.close();
    ws?.remove();
  });

  it('sets the identity cookies on the HTML document: HttpOnly, 400 days, the site’s domain; the site’s own cookies stay and Cache-Control gets private', async () => {
    const answer = await navigate(SHOP);
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('<p>200 /</p>');
    for (const kind of ['device', 'anonymous-person']) {
      expect(cookieLine(answer, name(KEY, kind))?.attributes).toMatchObject({
        'max-age': DAYS_400,
        domain: 'shop.test',
        path: '/',
        httponly: true,
      });
    }
    expect(cookieLine(answer, 'site_cart')?.value).toBe('42');
    expect(cookieLine(answer, 'site_lang')?.value).toBe('en');
    expect(answer.headers['cache-control']).toBe('max-age=60, private');
    // Pantry's answer headers are nginx's business, never the visitor's.
    expect(Object.keys(answer.headers).filter((h) => h.includes('edge'))).toEqual([]);
  });

  it('recognises the same visitor on the next document, with the cookies it got', async () => {
    const first = await navigate(SHOP);
    const visitor = visitorOf(first);
    expect(visitor).toMatch(/^[A-Za-z0-9_-]{10,}$/);
    const second = await navigate(SHOP, '/page', { cookie: jar(first) });
    expect(visitorOf(second)).toBe(visitor);
    // Another host of the account: the same domain, the same visitor.
    const apex = await navigate('shop.test', '/page', { cookie: jar(first) });
    expect(visitorOf(apex)).toBe(visitor);
    // And a fresh browser is someone else.
    expect(visitorOf(await navigate(SHOP))).not.toBe(visitor);
  });

  it('asks Pantry for navigations only: assets, fetch calls and POSTs pass without it', async () => {
    const before = await edgeAnswers(pantryUrl);
    const notAsked: Array<[string, Promise<Answer>]> = [
      ['script', page(SHOP, '/app.js', { headers: { accept: '*/*', 'sec-fetch-dest': 'script' } })],
      ['image', page(SHOP, '/app.js', { headers: { accept: 'image/avif,image/webp,*/*' } })],
      ['fetch', page(SHOP, '/api', { headers: { accept: '*/*', 'sec-fetch-dest': 'empty' } })],
      [
        'fetch of HTML',
        page(SHOP, '/page', { headers: { accept: 'text/html', 'sec-fetch-dest': 'empty' } }),
      ],
      [
        'form POST',
        page(SHOP, '/form', {
          method: 'POST',
          headers: { ...NAVIGATION, 'content-type': 'application/x-www-form-urlencoded' },
          body: 'qty=2',
        }),
      ],
    ];
    for (const [what, answer] of notAsked) {
      const a = await answer;
      expect({ what, status: a.status, pantry: pantryCookies(a) }).toEqual({
        what,
        status: 200,
        pantry: [],
      });
    }
    expect(site.posted).toContain('qty=2');
    expect(await edgeAnswers(pantryUrl)).toBe(before);

    // A navigation without Sec-Fetch-Dest (plain http) by its Accept; HEAD; an iframe.
    const asked = [
      await page(SHOP, '/page', { headers: { accept: NAVIGATION.accept } }),
      await page(SHOP, '/page', { method: 'HEAD', headers: NAVIGATION }),
      await page(SHOP, '/page', { headers: { ...NAVIGATION, 'sec-fetch-dest': 'iframe' } }),
    ];
    for (const a of asked) expect(pantryCookies(a)).toContain(name(KEY, 'device'));
    // The counter moves as the answer is sent, a moment after nginx has it.
    await eventually(async () => expect(await edgeAnswers(pantryUrl)).toBe(before + 3));
  });

  it('adds the cookies to a redirect, not to the site’s 500, which stays a 500', async () => {
    const redirect = await navigate(SHOP, '/go');
    expect(redirect.status).toBe(302);
    expect(redirect.headers.location).toBe('/page');
    expect(pantryCookies(redirect)).toContain(name(KEY, 'device'));

    const error = await navigate(SHOP, '/boom');
    expect(error.status).toBe(500);
    expect(error.body).toContain('<p>500 /boom</p>');
    expect(pantryCookies(error)).toEqual([]);
  });

  it('gates identity on consent: none before, then the snippet’s consent through the same origin, then every document', async () => {
    const first = await navigate(GATED);
    expect(first.status).toBe(200);
    expect(pantryCookies(first)).not.toContain(name(GATED_KEY, 'device'));
    expect(pantryCookies(first)).not.toContain(name(GATED_KEY, 'anonymous-person'));
    // The snippet is served same-origin, under /pantry/unblu/.
    const snippet = await page(GATED, `/pantry/unblu/visitor.js?x-unblu-apikey=${GATED_KEY}`);
    expect(snippet.status).toBe(200);
    expect(snippet.headers['content-type']).toMatch(/^text\/javascript/);

    const consent = await page(GATED, `/pantry/unblu/v1/consent?x-unblu-apikey=${GATED_KEY}`, {
      method: 'POST',
      headers: {
        origin: `http://${GATED}`,
        'content-type': 'application/json',
        cookie: jar(first),
      },
      body: '{"granted":true}',
    });
    expect(consent.status).toBe(200);
    const visitor = visitorOf(consent, GATED_KEY);
    expect(visitor).toBeDefined();

    const after = await navigate(GATED, '/page', { cookie: jar(first, consent) });
    expect(visitorOf(after, GATED_KEY)).toBe(visitor);
    expect(cookieLine(after, name(GATED_KEY, 'device'))?.attributes).toMatchObject({
      'max-age': DAYS_400,
      httponly: true,
    });
  });

  it('forwards only the visitor API and the snippet to Pantry: the operator routes are the site’s', async () => {
    for (const path of ['/pantry/metrics', '/pantry/admin/v1/accounts', '/pantry/admin/']) {
      const answer = await page(SHOP, path, {
        headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      });
      expect({ path, status: answer.status, body: answer.body }).toEqual({
        path,
        status: 404,
        body: expect.stringContaining(`<p>404 ${path}</p>`),
      });
    }
  });

  it('honours Sec-GPC: a visitor sending it gets no identity cookies', async () => {
    const gpc = await navigate(SHOP, '/', { 'sec-gpc': '1' });
    expect(gpc.status).toBe(200);
    expect(pantryCookies(gpc)).not.toContain(name(KEY, 'device'));
    expect(pantryCookies(gpc)).not.toContain(name(KEY, 'anonymous-person'));
    // The same request without it: a control, so the check above can fail.
    expect(pantryCookies(await navigate(SHOP))).toContain(name(KEY, 'anonymous-person'));
  });

  it('keeps the analytics id: learnt from a document that carries it, restored on one that lost it', async () => {
    const first = await navigate(SHOP);
    const carrying = await navigate(SHOP, '/page', {
      cookie: `${jar(first)}; ajs_anonymous_id=${AJS}`,
    });
    const refreshed = cookieLine(carrying, 'ajs_anonymous_id');
    expect(refreshed?.value).toBe(AJS);
    // Not HttpOnly: the SDK reads it.
    expect(refreshed?.attributes).toMatchObject({ 'max-age': DAYS_400, domain: 'shop.test' });
    expect(refreshed?.attributes.httponly).toBeUndefined();

    // Safari deleted the script-written cookie; Pantry's HttpOnly ones stayed.
    await eventually(async () => {
      const lost = await navigate(SHOP, '/page', { cookie: jar(first) });
      expect(cookieLine(lost, 'ajs_anonymous_id')?.value).toBe(AJS);
    });
  });

  it('serves a page without Pantry’s cookies when Pantry answers an error (a host of no account: 404)', async () => {
    const before = await edgeAnswers(pantryUrl, 404);
    const answer = await navigate('www.nobody.test');
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('<p>200 /</p>');
    expect(cookieLine(answer, 'site_cart')?.value).toBe('42');
    expect(pantryCookies(answer)).toEqual([]);
    await eventually(async () => expect(await edgeAnswers(pantryUrl, 404)).toBe(before + 1));
  });

  it('keeps the subrequest internal: /_pantry/edge from outside reaches neither Pantry nor the site', async () => {
    const before = await edgeAnswers(pantryUrl);
    const answer = await navigate(SHOP, '/_pantry/edge');
    expect(answer.status).toBe(204);
    expect(answer.cookies).toEqual([]);
    // Then one navigation that does ask: Pantry counts it alone.
    expect(pantryCookies(await navigate(SHOP))).toContain(name(KEY, 'device'));
    await eventually(async () => expect(await edgeAnswers(pantryUrl)).toBe(before + 1));
  });

  it('serves the page within the timeout, without Pantry’s cookies, while Pantry is silent (SIGSTOP)', async () => {
    expect(READ_TIMEOUT_MS).toBeGreaterThanOrEqual(100);
    const pid = pantry.child.pid!;
    const times: number[] = [];
    process.kill(pid, 'SIGSTOP');
    try {
      for (let i = 0; i < 3; i++) {
        const answer = await navigate(SHOP, '/page');
        expect(answer.status).toBe(200);
        expect(cookieLine(answer, 'site_cart')?.value).toBe('42');
        expect(pantryCookies(answer)).toEqual([]);
        times.push(Math.round(answer.ms));
      }
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    // nginx waited for Pantry (so the timeout is what freed the page), and not much longer.
    for (const ms of times) {
      expect(ms).toBeGreaterThanOrEqual(READ_TIMEOUT_MS - 10);
      expect(ms).toBeLessThan(READ_TIMEOUT_MS + 750);
    }
    process.stdout.write(
      `edge mode, Pantry stopped with SIGSTOP: pages in ${times.join(', ')} ms\n`,
    );
    // Back: the next navigations get cookies again.
    await eventually(async () => {
      expect(pantryCookies(await navigate(SHOP))).toContain(name(KEY, 'device'));
    });
  });

  it('serves the page at once, without Pantry’s cookies, when Pantry is down', async () => {
    await pantry.stop();
    await expect(fetch(pantryUrl)).rejects.toThrow();
    for (const path of ['/', '/page', '/go']) {
      const answer = await navigate(SHOP, path);
      expect(answer.status).toBe(path === '/go' ? 302 : 200);
      expect(pantryCookies(answer)).toEqual([]);
      expect(answer.ms).toBeLessThan(READ_TIMEOUT_MS);
    }
    expect(cookieLine(await navigate(SHOP), 'site_cart')?.value).toBe('42');
    expect((await navigate(SHOP, '/boom')).status).toBe(500);
  });
});

/**
 * Answers real Pantry gives only in states a test cannot cause on demand (a refusal, an
 * overload): a stand-in on Pantry's port answers each status, and the README's block must still
 * serve the page (auth_request alone would refuse it on a 401 or 403 and fail it with a 500 on
 * anything else but 2xx).
 */
describe('edge mode: the README nginx block fails open on any answer but 2xx', () => {
  let standIn: Server;
  let status = 500;
  let site: Awaited<ReturnType<typeof startShop>>;
  let nginx: RunningNginx;

  beforeAll(async () => {
    standIn = createServer((_req, res) => {
      res
        .writeHead(status, {
          'content-type': 'application/json',
          ...(status === 204 ? { 'x-unblu-edge-cookie-1': 'probe=1; Path=/' } : {}),
        })
        .end(status === 204 ? undefined : `{"statusCode":${status},"error":"x"}`);
    });
    await new Promise<void>((r) => standIn.listen(0, '127.0.0.1', () => r()));
    site = await startShop();
    nginx = await startEdgeNginx({
      pantry: (standIn.address() as AddressInfo).port,
      site: site.port,
    });
  });

  afterAll(async () => {
    await nginx?.stop();
    await site?.close();
    standIn?.closeAllConnections();
    await new Promise((r) => standIn?.close(r));
  });

  it('copies a 204’s cookie line (the control) and serves the page on 3xx, 4xx and 5xx', async () => {
    const seen: Record<number, [number, string[]]> = {};
    for (const s of [204, 302, 400, 401, 403, 404, 413, 429, 500, 502, 503, 504]) {
      status = s;
      const answer = await send(nginx.port, SHOP, '/', { headers: NAVIGATION });
      seen[s] = [answer.status, answer.cookies.filter((c) => !c.startsWith('site_'))];
    }
    expect(seen).toEqual({
      204: [200, ['probe=1; Path=/']],
      ...Object.fromEntries(
        [302, 400, 401, 403, 404, 413, 429, 500, 502, 503, 504].map((s) => [s, [200, []]]),
      ),
    });
  });
});
