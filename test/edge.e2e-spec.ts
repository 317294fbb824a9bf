import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { cookieJar, parseSetCookies, ParsedSetCookie, setCookies } from './helpers/cookies';
import { useApp } from './helpers/test-app';
import { EDGE_COOKIE_SLOTS } from '../src/vocabulary/edge';

/**
 * Edge mode (SPEC §16), Pantry's side: `GET /unblu/v1/edge` as the site's own proxy asks it
 * (nginx's auth_request; the proxy itself is proven in edge-nginx.e2e-spec.ts and in Chromium):
 * the account by proxy.hosts, the original request's Cookie, host, scheme, URI and Sec-GPC, the
 * cookie lines in numbered headers, and the same decision document mode makes.
 */

const SHOP = 'www.shop.test';
const KEY = 'edge-shop-key1';
const GATED_KEY = 'edge-gated-key';
const MANY_KEY = 'edge-many-key1';
const n = (key: string, c: string) => `x-unblu-${key}-${c}`;
const KEPT = Array.from({ length: 8 }, (_, i) => `kept_${i + 1}`);

/** The cookie lines of an edge answer, slot by slot. */
function edgeLines(res: request.Response): string[] {
  const lines: string[] = [];
  for (let i = 1; i <= EDGE_COOKIE_SLOTS; i++) {
    const line = res.headers[`x-unblu-edge-cookie-${i}`] as string | undefined;
    if (line !== undefined) lines.push(line);
  }
  // Nothing beyond the slots, and no gap: slot i+1 only after slot i.
  expect(res.headers[`x-unblu-edge-cookie-${EDGE_COOKIE_SLOTS + 1}`]).toBeUndefined();
  const count = Object.keys(res.headers).filter((h) => h.startsWith('x-unblu-edge-cookie-'));
  expect(count).toHaveLength(lines.length);
  return lines;
}

const parsed = (res: request.Response): ParsedSetCookie[] => parseSetCookies(edgeLines(res));

describe('edge mode: GET /unblu/v1/edge for the site’s own proxy', () => {
  let upstream: Server;
  let upstreamPort = 0;
  beforeAll(async () => {
    // The site's server, for the account also served in document mode (the same decision).
    upstream = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><p>page</p>');
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
    upstreamPort = (upstream.address() as AddressInfo).port;
  });
  afterAll(async () => {
    upstream.closeAllConnections();
    await new Promise((r) => upstream.close(r));
  });

  const pantry = useApp(() => ({
    app: 'server.trustProxy = true',
    accounts: {
      shop: [
        `account.apiKeys = ${KEY}`,
        `proxy.hosts = ${SHOP}, shop.test`,
        'identifier.cookieDomain = AUTO',
        'consent.required = false',
        'consent.honorGlobalPrivacyControl = true',
        'keeper.cookies = segment',
      ].join('\n'),
      gated: [`account.apiKeys = ${GATED_KEY}`, 'proxy.hosts = www.gated.test'].join('\n'),
      both: [
        'account.apiKeys = edge-both-key1',
        'proxy.hosts = www.both.test',
        `proxy.upstream = http://127.0.0.1:${upstreamPort}`,
        'identifier.cookieSecureFlag = false',
        'consent.required = false',
      ].join('\n'),
      many: [
        `account.apiKeys = ${MANY_KEY}`,
        'proxy.hosts = www.many.test',
        `keeper.cookies = ${KEPT.map((k) => `cookie:${k}`).join(', ')}`,
      ].join('\n'),
    },
  }));

  /** The proxy's subrequest for a document on `host`, as the README's nginx sends it. */
  const edge = (host: string, cookie?: string, uri = '/products/1?ref=x') => {
    const r = pantry
      .http()
      .get('/unblu/v1/edge')
      .set('Host', '127.0.0.1:3000')
      .set('X-Forwarded-Host', host)
      .set('X-Forwarded-Proto', 'https')
      .set('X-Forwarded-Uri', uri);
    return cookie ? r.set('Cookie', cookie) : r;
  };

  it('answers 204 with the identity cookies in numbered headers, for the site’s domain', async () => {
    const res = await edge(SHOP).expect(204);
    expect(res.text).toBe('');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-unblu-edge-cache-control']).toBe('private');
    expect(res.headers['set-cookie']).toBeUndefined();
    const cookies = parsed(res);
    expect(cookies.map((c) => c.name)).toEqual([
      n(KEY, 'device'),
      n(KEY, 'anonymous-person'),
      n(KEY, 'session'),
    ]);
    for (const c of cookies) {
      expect(c.attributes).toMatchObject({ domain: 'shop.test', path: '/', httponly: true });
      expect(c.attributes.secure).toBe(true);
    }
    expect(cookies[0].attributes['max-age']).toBe(String(400 * 24 * 3600));
  });

  it('refreshes a returning visitor with the same ids', async () => {
    const first = parsed(await edge(SHOP).expect(204));
    const cookie = cookieJar(first);
    const again = await edge(SHOP, `site_cart=1; ${cookie}`).expect(204);
    const byName = new Map(parsed(again).map((c) => [c.name, c.value]));
    expect(byName.get(n(KEY, 'anonymous-person'))).toBe(
      first.find((c) => c.name === n(KEY, 'anonymous-person'))!.value,
    );
    expect(byName.get(n(KEY, 'device'))).toBe(
      first.find((c) => c.name === n(KEY, 'device'))!.value,
    );
    expect(byName.has(n(KEY, 'session'))).toBe(false); // a browser-session cookie is not re-sent
  });

  it('decides exactly as document mode: the same lines for the same returning visitor', async () => {
    const viaDocument = await pantry.http().get('/').set('Host', 'www.both.test').expect(200);
    const issued = setCookies(viaDocument).filter((c) => c.name.startsWith('x-unblu-'));
    expect(issued.length).toBeGreaterThanOrEqual(3);
    // A new visitor: the same cookies with the same attributes (values are new ids).
    const fresh = parsed(await edge('www.both.test').expect(204));
    const shape = (cs: ParsedSetCookie[]) =>
      [...cs].sort((a, b) => a.name.localeCompare(b.name)).map((c) => [c.name, c.attributes]);
    // The edge request comes over https at the proxy; the document one is plain: Secure differs
    // only where the plan asks for it (cookieSecureFlag=false here: never).
    expect(shape(fresh)).toEqual(shape(issued));
    // A returning visitor: byte for byte the same lines.
    const cookie = cookieJar(issued);
    const doc = await pantry
      .http()
      .get('/')
      .set('Host', 'www.both.test')
      .set('Cookie', cookie)
      .expect(200);
    const docLines = setCookies(doc)
      .filter((c) => c.name.startsWith('x-unblu-'))
      .map((c) => c.raw)
      .sort();
    const edgeRes = await edge('www.both.test', cookie).expect(204);
    expect(edgeLines(edgeRes).sort()).toEqual(docLines);
  });

  it('keeps consent gating: nothing before consent, identity after', async () => {
    const none = await edge('www.gated.test').expect(204);
    // The browser-session cookie is not gated (SPEC §6); the identity cookies are.
    expect(parsed(none).map((c) => c.name)).toEqual([n(GATED_KEY, 'session')]);
    // The visitor consents through the snippet's API, same-origin on the site.
    const granted = await pantry
      .http()
      .post(`/unblu/v1/consent?x-unblu-apikey=${GATED_KEY}`)
      .set('Host', 'www.gated.test')
      .set('X-Forwarded-Proto', 'https')
      .send({ granted: true })
      .expect(200);
    const after = await edge('www.gated.test', cookieJar(setCookies(granted))).expect(204);
    const names = parsed(after).map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining([n(GATED_KEY, 'anonymous-person')]));
  });

  it('respects Global Privacy Control', async () => {
    const res = await edge(SHOP).set('Sec-GPC', '1').expect(204);
    const identity = parsed(res).filter(
      (c) => c.name === n(KEY, 'anonymous-person') && c.value !== '',
    );
    expect(identity).toEqual([]);
  });

  it('keeps the analytics SDK’s cookie: learnt from one document, restored on the next', async () => {
    const first = parsed(await edge(SHOP).expect(204));
    const identity = cookieJar(first);
    const learnt = await edge(SHOP, `${identity}; ajs_anonymous_id=sdk-id-123`).expect(204);
    const refreshed = parsed(learnt).find((c) => c.name === 'ajs_anonymous_id');
    expect(refreshed?.value).toBe('sdk-id-123');
    expect(refreshed?.attributes.httponly).toBeUndefined(); // the SDK reads it
    // Safari dropped the script-written cookie; the next document brings it back.
    const restored = await edge(SHOP, identity).expect(204);
    const line = parsed(restored).find((c) => c.name === 'ajs_anonymous_id');
    expect(line).toMatchObject({ value: 'sdk-id-123' });
    expect(line!.attributes['max-age']).toBe(String(400 * 24 * 3600));
    // Identity first, the keeper's after.
    expect(parsed(restored).at(-1)!.name).toBe('ajs_anonymous_id');
  });

  it(`sends at most ${EDGE_COOKIE_SLOTS} lines, identity first; the rest comes with the next document`, async () => {
    // A visitor who consented, whose page set eight kept cookies, then withdrew: every one of
    // them is deleted, more than the slots hold.
    const consent = (granted: boolean, cookie?: string) => {
      const r = pantry
        .http()
        .post(`/unblu/v1/consent?x-unblu-apikey=${MANY_KEY}`)
        .set('Host', 'www.many.test')
        .set('X-Forwarded-Proto', 'https');
      return (cookie ? r.set('Cookie', cookie) : r).send({ granted });
    };
    const yes = await consent(true).expect(200);
    const identity = cookieJar(setCookies(yes));
    const kept = KEPT.map((k) => `${k}=v-${k}`).join('; ');
    const no = await consent(false, `${identity}; ${kept}`).expect(200);
    // The withdrawal's own answer deleted them; a browser that kept them (a second tab, say)
    // comes back with them all and the denial.
    const denial = setCookies(no).find((c) => c.name === n(MANY_KEY, 'consent'))!;
    const stale = `${identity.replace(/x-unblu-[^;]*-consent=[^;]*;? ?/, '')}; ${n(MANY_KEY, 'consent')}=${denial.value}; ${kept}`;
    const first = await edge('www.many.test', stale).expect(204);
    const lines = parsed(first);
    expect(lines).toHaveLength(EDGE_COOKIE_SLOTS);
    // Identity first: the denial kept, the identity cookies deleted; then the keeper's deletions.
    expect(lines[0]).toMatchObject({ name: n(MANY_KEY, 'consent') });
    expect(lines[0].value).toMatch(/^denied\./);
    expect(
      lines
        .slice(1, 3)
        .map((c) => c.name)
        .sort(),
    ).toEqual([n(MANY_KEY, 'anonymous-person'), n(MANY_KEY, 'device')].sort());
    const keptDeleted = lines.slice(3);
    expect(keptDeleted.every((c) => KEPT.includes(c.name) && c.attributes['max-age'] === '0')).toBe(
      true,
    );
    // The next document, with what the browser still holds: the rest of the deletions.
    const next = parsed(await edge('www.many.test', cookieJar(lines, stale)).expect(204));
    const rest = next.filter((c) => KEPT.includes(c.name));
    expect(rest.every((c) => c.attributes['max-age'] === '0')).toBe(true);
    expect([...keptDeleted, ...rest].map((c) => c.name).sort()).toEqual([...KEPT].sort());
    expect(next.some((c) => c.name === n(MANY_KEY, 'anonymous-person') && c.value !== '')).toBe(
      false,
    );
  });

  it.each([
    ['Pantry’s own snippet', '/unblu/visitor.js?x-unblu-apikey=k'],
    ['Pantry’s own path', '/unblu'],
    ['the visitor API', '/unblu/v1/identify'],
  ])('sets nothing for %s (not a document of the site)', async (_what, uri) => {
    const res = await edge(SHOP, undefined, uri).expect(204);
    expect(edgeLines(res)).toEqual([]);
    expect(res.headers['x-unblu-edge-cache-control']).toBeUndefined();
  });

  it('sets cookies for a page path that only starts like Pantry’s', async () => {
    const res = await edge(SHOP, undefined, '/unblutooth/catalogue').expect(204);
    expect(edgeLines(res).length).toBeGreaterThan(0);
  });

  it.each([
    ['a host no account serves', 'www.unknown.test', /www\.unknown\.test/],
    ['a malformed host', 'www.shop.test:http', /no valid host/],
    ['a huge host', `${'a'.repeat(5000)}.test`, /no valid host/],
  ])('answers 404 account_not_found for %s', async (_what, host, message) => {
    const res = await edge(host).expect(404);
    expect(res.body).toMatchObject({ error: 'account_not_found' });
    expect(res.body.message).toMatch(message);
    expect(edgeLines(res)).toEqual([]);
  });

  it.each([
    ['junk cookies', 'x-unblu-edge-shop-key1-device=%%%; ;;=; a'],
    ['a forged device cookie', 'x-unblu-edge-shop-key1-device=forged.value'],
    ['an oversized Cookie header', `a=${'b'.repeat(8000)}`],
  ])('answers %s with fresh cookies, never an error', async (_what, cookie) => {
    const res = await edge(SHOP, cookie).expect(204);
    const device = parsed(res).find((c) => c.name === n(KEY, 'device'));
    expect(device?.value).toBeTruthy();
    expect(device?.value).not.toBe('forged.value');
  });

  it('without X-Forwarded-Host reads Host', async () => {
    const res = await pantry.http().get('/unblu/v1/edge').set('Host', SHOP).expect(204);
    expect(parsed(res).map((c) => c.name)).toContain(n(KEY, 'device'));
  });

  it('answers the same through the visitor dispatcher and through Fastify', async () => {
    const cookie = cookieJar(parsed(await edge(SHOP).expect(204)));
    const headers = {
      host: '127.0.0.1',
      'x-forwarded-host': SHOP,
      'x-forwarded-proto': 'https',
      'x-request-id': 'trace-edge-000001',
      cookie,
    };
    const strip = (h: Record<string, unknown>) =>
      Object.fromEntries(
        Object.entries(h).filter(([k]) => !['date', 'connection', 'keep-alive'].includes(k)),
      );
    // Cookie expiry is to the second: the two answers are compared from within one second.
    let viaFastify, viaDispatcher, second;
    do {
      second = Math.floor(Date.now() / 1000);
      viaFastify = await pantry.app.inject({ method: 'GET', url: '/unblu/v1/edge', headers });
      viaDispatcher = await pantry.http().get('/unblu/v1/edge').set(headers);
    } while (Math.floor(Date.now() / 1000) !== second);
    expect(viaDispatcher.status).toBe(204);
    expect(viaFastify.statusCode).toBe(204);
    expect(strip(viaDispatcher.headers)).toEqual(strip(viaFastify.headers));
  });

  it('is not a CORS endpoint: a browser origin gets no grant', async () => {
    const res = await edge(SHOP).set('Origin', 'https://evil.test').expect(204);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});
