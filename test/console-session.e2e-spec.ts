import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { csrfTokenOf } from '../src/access/console-session';
import { freePort } from './helpers/nginx';
import { setCookie } from './helpers/cookies';
import { AppHandle, TEST_ADMIN_TOKEN, useApp, useApps } from './helpers/test-app';

jest.setTimeout(60_000);

/*
 * The operator console's server side (SPEC §17, issue 29): sign-in exchanges the admin token or
 * an account credential for a session cookie; the admin guard takes the cookie as a third way
 * in, with a CSRF token on every change; sessions live in the shared database (two app
 * instances on one database here, SQLite and PostgreSQL), end on sign-out, when idle, at their
 * cap, and with their credential; the console's page has a strict CSP; the status endpoint
 * counts the node's own answers.
 */

const AUTH = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
const ACCOUNTS = {
  shop: 'account.apiKeys = shop-key-0001\nconsent.required = false',
  other: 'account.apiKeys = other-key-0001',
};
const COOKIE = 'pantry-console';

type Http = () => ReturnType<typeof request>;

interface Session {
  /** `pantry-console=<id>`, as the browser sends it. */
  readonly cookie: string;
  readonly id: string;
  readonly csrf: string;
}

async function signIn(http: Http, token = TEST_ADMIN_TOKEN): Promise<Session> {
  const res = await http().post('/admin/v1/session').send({ token }).expect(204);
  const set = setCookie(res, COOKIE);
  if (!set) throw new Error('no session cookie');
  const cookie = `${COOKIE}=${set.value}`;
  const who = await http().get('/admin/v1/session').set('Cookie', cookie).expect(200);
  return { cookie, id: set.value, csrf: who.body.csrfToken as string };
}

/** A request made with the session: its cookie and, on a change, its CSRF token. */
function withSession(http: Http, session: Session) {
  return (method: 'get' | 'post' | 'put' | 'patch' | 'delete', path: string, body?: object) => {
    const test = http()[method](path).set('Cookie', session.cookie);
    if (method !== 'get') test.set('x-pantry-csrf', session.csrf);
    return body === undefined ? test : test.send(body);
  };
}

const sessionRows = (ds: DataSource) =>
  ds.query<Array<Record<string, unknown>>>('SELECT * FROM "console_sessions"');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('console sign-in: the cookie, the session, the guard', () => {
  const pantry = useApp({ accounts: ACCOUNTS });
  const http = () => pantry.http();

  it('the admin token signs in: an HttpOnly, SameSite=Strict cookie on /admin; the API answers it', async () => {
    const res = await http()
      .post('/admin/v1/session')
      .send({ token: TEST_ADMIN_TOKEN })
      .expect(204);
    const set = setCookie(res, COOKIE)!;
    expect(set.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(set.attributes).toEqual({
      path: '/admin',
      'max-age': String(12 * 3600 - 1),
      httponly: true,
      samesite: 'Strict',
      // Plain HTTP straight to a loopback address: no Secure (see the transport test below).
    });
    expect(res.headers['cache-control']).toBe('no-store');

    const cookie = `${COOKIE}=${set.value}`;
    const who = await http().get('/admin/v1/session').set('Cookie', cookie).expect(200);
    expect(who.body).toEqual({
      role: 'admin',
      account: null,
      credential: null,
      csrfToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      expiresAt: expect.any(String),
      idleTimeoutSeconds: 1800,
    });
    expect(who.headers['cache-control']).toBe('no-store');
    const accounts = await http().get('/admin/v1/accounts').set('Cookie', cookie).expect(200);
    expect((accounts.body as Array<{ id: string }>).map((a) => a.id).sort()).toEqual([
      'other',
      'shop',
    ]);
  });

  it('at rest: the SHA-256 of the session id, never the id nor the CSRF token', async () => {
    const session = await signIn(http);
    const rows = await sessionRows(pantry.app.get(DataSource));
    const hash = createHash('sha256').update(session.id).digest('hex');
    const row = rows.find((r) => r.idHash === hash);
    expect(row).toMatchObject({ kind: 'admin', accountId: null, credentialId: null });
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(session.id);
    expect(stored).not.toContain(session.csrf);
    expect(stored).not.toContain(TEST_ADMIN_TOKEN);
  });

  it('a change made with the cookie needs its CSRF token: a cross-site form POST is refused 403', async () => {
    const session = await signIn(http);
    const other = await signIn(http);
    const before = (await http().get('/admin/v1/accounts').set(AUTH).expect(200)).body;
    const post = () => http().post('/admin/v1/accounts').set('Cookie', session.cookie);
    const refusals = [
      // What a cross-site HTML form can send: the cookie (were it ever sent), no header.
      await post().type('form').send('id=csrf-form'),
      await post().set('content-type', 'text/plain').send('{"id":"csrf-text"}'),
      await post().send({ id: 'csrf-json' }),
      await post().set('x-pantry-csrf', other.csrf).send({ id: 'csrf-other' }),
      await post().set('x-pantry-csrf', session.id).send({ id: 'csrf-id' }),
    ];
    for (const res of refusals) {
      expect({ status: res.status, error: res.body.error }).toEqual({
        status: 403,
        error: 'csrf_token_invalid',
      });
    }
    expect(refusals[0].body.message).toContain('x-pantry-csrf');
    // Nothing was created.
    expect((await http().get('/admin/v1/accounts').set(AUTH).expect(200)).body).toEqual(before);
    // With the token, the same change goes through, and so does every other method.
    const call = withSession(http, session);
    await call('post', '/admin/v1/accounts', { id: 'csrf-ok' }).expect(201);
    await call('patch', '/admin/v1/accounts/csrf-ok', { name: 'Renamed' }).expect(200);
    await call('put', '/admin/v1/accounts/csrf-ok/properties/consent.required', {
      value: 'false',
    }).expect(200);
    await http()
      .delete('/admin/v1/accounts/csrf-ok/properties/consent.required')
      .set('Cookie', session.cookie)
      .expect(403);
    await call('delete', '/admin/v1/accounts/csrf-ok/properties/consent.required').expect(204);
    await call('delete', '/admin/v1/accounts/csrf-ok').expect(204);
    // Reads need none.
    await http().get('/admin/v1/accounts/shop').set('Cookie', session.cookie).expect(200);
  });

  it('a bearer token needs no CSRF token, whatever cookie comes with it; the cookie is then ignored', async () => {
    const session = await signIn(http);
    await http()
      .post('/admin/v1/accounts')
      .set(AUTH)
      .set('Cookie', session.cookie)
      .send({ id: 'bearer-ok' })
      .expect(201);
    // A wrong bearer token does not fall back to the cookie.
    await http()
      .get('/admin/v1/accounts')
      .set('authorization', 'Bearer wrong-token-0123456789')
      .set('Cookie', session.cookie)
      .expect(401);
  });

  it('audit entries of a session name the principal as the bearer token would; sign-in and sign-out are entries', async () => {
    const session = await signIn(http);
    const call = withSession(http, session);
    await call('put', '/admin/v1/accounts/shop/properties/consent.cookieMaxAge', {
      value: '86400',
    }).expect(200);
    await call('delete', '/admin/v1/session').expect(204);
    const audit = await http().get('/admin/v1/audit?limit=3').set(AUTH).expect(200);
    expect(
      (audit.body as Array<{ actor: string; action: string }>).map((e) => [e.action, e.actor]),
    ).toEqual([
      ['console.signout', expect.stringMatching(/^admin@(::ffff:)?127\.0\.0\.1$/)],
      ['property.set', expect.stringMatching(/^admin@(::ffff:)?127\.0\.0\.1$/)],
      ['console.signin', expect.stringMatching(/^admin@(::ffff:)?127\.0\.0\.1$/)],
    ]);
  });

  it('sign-out: refused without the CSRF token; then the cookie is cleared and refused everywhere', async () => {
    const session = await signIn(http);
    await http().delete('/admin/v1/session').set('Cookie', session.cookie).expect(403);
    await http().get('/admin/v1/accounts').set('Cookie', session.cookie).expect(200);

    const out = await withSession(http, session)('delete', '/admin/v1/session').expect(204);
    expect(setCookie(out, COOKIE)).toMatchObject({
      value: '',
      attributes: { path: '/admin', 'max-age': '0' },
    });
    const hash = createHash('sha256').update(session.id).digest('hex');
    expect((await sessionRows(pantry.app.get(DataSource))).map((r) => r.idHash)).not.toContain(
      hash,
    );
    for (const res of [
      await http().get('/admin/v1/session').set('Cookie', session.cookie),
      await http().get('/admin/v1/accounts').set('Cookie', session.cookie),
      await withSession(http, session)('delete', '/admin/v1/session'),
      await withSession(http, session)('post', '/admin/v1/accounts', { id: 'after-signout' }),
    ]) {
      expect({ status: res.status, error: res.body.error }).toEqual({
        status: 401,
        error: 'session_ended',
      });
      expect(setCookie(res, COOKIE)?.attributes['max-age']).toBe('0');
    }
  });

  it('no session → 401 on every admin call the API documents, with no cookie or an ended one', async () => {
    const doc = (await http().get('/admin/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const ended = await signIn(http);
    await withSession(http, ended)('delete', '/admin/v1/session').expect(204);
    const forged = randomBytes(32).toString('base64url');
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => [method, path.replace(/\{(\w+)\}/g, 'shop')] as const),
    );
    // Sign-in is the one route without a principal; everything else, session routes included.
    const guarded = routes.filter(([m, p]) => !(m === 'post' && p === '/admin/v1/session'));
    expect(guarded.length).toBeGreaterThanOrEqual(24);
    const answers: string[] = [];
    for (const [method, path] of guarded) {
      const verb = method as 'get' | 'post' | 'put' | 'patch' | 'delete';
      const bare = await http()[verb](path);
      answers.push(`${method} ${path} none: ${bare.status}`);
      for (const [what, id, csrf] of [
        ['ended', ended.id, ended.csrf],
        // A made-up id, with the CSRF token that would be its own: the guard still finds nothing.
        ['forged', forged, csrfTokenOf(forged)],
      ]) {
        const res = await http()
          [verb](path)
          .set('Cookie', `${COOKIE}=${id}`)
          .set('x-pantry-csrf', csrf);
        answers.push(`${method} ${path} ${what}: ${res.status}`);
      }
    }
    expect(answers.filter((a) => !a.endsWith(': 401'))).toEqual([]);
  });

  it('bad sign-in bodies are 400 and sign nobody in', async () => {
    for (const body of [
      {},
      { token: '' },
      { token: 42 },
      { token: 'x'.repeat(1025) },
      { token: TEST_ADMIN_TOKEN, extra: 1 },
    ]) {
      const res = await http().post('/admin/v1/session').send(body);
      expect({ body, status: res.status, cookie: setCookie(res, COOKIE) }).toEqual({
        body,
        status: 400,
        cookie: undefined,
      });
    }
  });
});

describe('console sessions per principal', () => {
  const pantry = useApp({ accounts: ACCOUNTS });
  const http = () => pantry.http();

  it('one principal holds at most 50 sessions: the 51st sign-in ends the oldest', async () => {
    const first = await signIn(http);
    await sleep(5); // every later session is younger
    const ds = pantry.app.get(DataSource);
    const admins = async () => (await sessionRows(ds)).filter((r) => r.kind === 'admin').length;
    while ((await admins()) < 50) await signIn(http);
    await http().get('/admin/v1/accounts').set('Cookie', first.cookie).expect(200);
    const latest = await signIn(http);
    expect(await admins()).toBe(50);
    await http().get('/admin/v1/accounts').set('Cookie', first.cookie).expect(401);
    await http().get('/admin/v1/accounts').set('Cookie', latest.cookie).expect(200);
  });
});

describe('console sign-in with an account credential', () => {
  const pantry = useApp({ accounts: ACCOUNTS });
  const http = () => pantry.http();
  const credential = async (role: string, name = `console ${role}`) =>
    (
      await http()
        .post('/admin/v1/accounts/shop/credentials')
        .set(AUTH)
        .send({ name, role })
        .expect(201)
    ).body as { id: string; token: string };

  it('the session is the credential: its account, its role, the same refusals; audit names it', async () => {
    const editor = await credential('editor', 'Shop developer');
    const session = await signIn(http, editor.token);
    const who = await http().get('/admin/v1/session').set('Cookie', session.cookie).expect(200);
    expect(who.body).toMatchObject({
      role: 'editor',
      account: 'shop',
      credential: { id: editor.id, name: 'Shop developer' },
    });
    const call = withSession(http, session);
    await call('get', '/admin/v1/accounts/shop/properties').expect(200);
    expect((await call('get', '/admin/v1/accounts')).body.error).toBe('server_route');
    expect((await call('get', '/admin/v1/accounts/other')).body).toEqual({
      statusCode: 404,
      error: 'account_not_found',
      message: 'No account "other".',
    });
    expect((await call('delete', '/admin/v1/accounts/shop/visitors/unknown')).body.error).toBe(
      'role_not_allowed',
    );
    await call('put', '/admin/v1/accounts/shop/properties/consent.cookieMaxAge', {
      value: '86400',
    }).expect(200);
    const audit = await http().get('/admin/v1/accounts/shop/audit?limit=2').set(AUTH).expect(200);
    expect((audit.body as Array<{ actor: string }>).map((e) => e.actor)).toEqual([
      `credential:${editor.id} (Shop developer)`,
      `credential:${editor.id} (Shop developer)`,
    ]);
    const row = (await sessionRows(pantry.app.get(DataSource))).find(
      (r) => r.credentialId === editor.id,
    );
    expect(row).toMatchObject({ kind: 'credential', accountId: 'shop' });
  });

  it('a revoked credential’s session is refused at once, and its row goes', async () => {
    const owner = await credential('owner');
    const session = await signIn(http, owner.token);
    await http().get('/admin/v1/accounts/shop').set('Cookie', session.cookie).expect(200);
    await http().delete(`/admin/v1/accounts/shop/credentials/${owner.id}`).set(AUTH).expect(204);
    const res = await http().get('/admin/v1/accounts/shop').set('Cookie', session.cookie);
    expect({ status: res.status, error: res.body.error }).toEqual({
      status: 401,
      error: 'session_ended',
    });
    const rows = await sessionRows(pantry.app.get(DataSource));
    expect(rows.filter((r) => r.credentialId === owner.id)).toEqual([]);
  });

  it('a deleted account takes its credentials’ sessions with it', async () => {
    await http().post('/admin/v1/accounts').set(AUTH).send({ id: 'gone' }).expect(201);
    const made = await http()
      .post('/admin/v1/accounts/gone/credentials')
      .set(AUTH)
      .send({ name: 'gone owner', role: 'owner' })
      .expect(201);
    await signIn(http, made.body.token as string);
    const ds = pantry.app.get(DataSource);
    expect((await sessionRows(ds)).filter((r) => r.accountId === 'gone')).toHaveLength(1);
    await http().delete('/admin/v1/accounts/gone').set(AUTH).expect(204);
    expect((await sessionRows(ds)).filter((r) => r.accountId === 'gone')).toEqual([]);
  });
});

describe('console sign-in is throttled exactly like wrong bearer tokens', () => {
  const pantry = useApp({ accounts: ACCOUNTS });
  const http = () => pantry.http();

  it('30 wrong tokens a minute, at sign-in or at the API, then 429; the right token still signs in', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 32; i++) {
      // Alternately at sign-in and at the API: one count for both.
      const wrong = i % 2 ? `pty_${randomBytes(32).toString('base64url')}` : `wrong-admin-${i}`;
      const res =
        i % 3 === 0
          ? await http().get('/admin/v1/accounts').set('authorization', `Bearer ${wrong}`)
          : await http().post('/admin/v1/session').send({ token: wrong });
      expect(setCookie(res, COOKIE)).toBeUndefined();
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 30)).toEqual(Array(30).fill(401));
    expect(statuses.slice(30)).toEqual([401, 429]);
    const blocked = await http().post('/admin/v1/session').send({ token: 'still-wrong-0001' });
    expect(blocked.status).toBe(429);
    expect(blocked.headers['retry-after']).toMatch(/^\d+$/);
    await http()
      .get('/admin/v1/accounts')
      .set('authorization', 'Bearer still-wrong-0002')
      .expect(429);
    // The holder of the right token is never locked out.
    const session = await signIn(http);
    await http().get('/admin/v1/accounts').set('Cookie', session.cookie).expect(200);
  });
});

describe('console session limits (admin.consoleSessionIdleSeconds, admin.consoleSessionMaxSeconds)', () => {
  const pantry = useApp({
    app: 'admin.consoleSessionIdleSeconds = 2\nadmin.consoleSessionMaxSeconds = 5',
    accounts: ACCOUNTS,
  });
  const http = () => pantry.http();
  const read = (s: Session) => http().get('/admin/v1/accounts/shop').set('Cookie', s.cookie);

  it('a session in use outlives its idle limit; one left idle for it ends', async () => {
    const used = await signIn(http);
    const idle = await signIn(http);
    // 3.5 s of use, a call every 0.5 s: past the idle limit since sign-in, never idle that long.
    for (let t = 0; t < 7; t++) {
      await sleep(500);
      await read(used).expect(200);
    }
    const res = await read(idle);
    expect({ status: res.status, error: res.body.error }).toEqual({
      status: 401,
      error: 'session_ended',
    });
    await read(used).expect(200);
  });

  it('however busy, a session ends at its cap', async () => {
    const session = await signIn(http);
    const started = Date.now();
    const statuses: number[] = [];
    while (Date.now() - started < 6_000) {
      statuses.push((await read(session)).status);
      await sleep(400);
    }
    // 200 until the cap (5 s), 401 after: once refused, never accepted again.
    const first401 = statuses.indexOf(401);
    expect(first401).toBeGreaterThan(5);
    expect(statuses.slice(0, first401).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(first401).every((s) => s === 401)).toBe(true);
  });

  it('the session cookie’s Max-Age is the cap, GET /session says the idle limit', async () => {
    const res = await http()
      .post('/admin/v1/session')
      .send({ token: TEST_ADMIN_TOKEN })
      .expect(204);
    expect(Number(setCookie(res, COOKIE)!.attributes['max-age'])).toBeGreaterThanOrEqual(4);
    const who = await http()
      .get('/admin/v1/session')
      .set('Cookie', `${COOKIE}=${setCookie(res, COOKIE)!.value}`)
      .expect(200);
    expect(who.body.idleTimeoutSeconds).toBe(2);
  });
});

describe('console sessions are shared: two app instances on one database', () => {
  const apps = useApps();

  it('signed in on one, the cookie works on the other; signed out there, refused on both', async () => {
    const one = await apps.start({ accounts: ACCOUNTS });
    const two = await apps.start({
      app: `database.url = ${one.ws.databaseUrl}\n`,
      accounts: ACCOUNTS,
    });
    const session = await signIn(() => one.http());
    const onTwo = withSession(() => two.http(), session);
    const who = await onTwo('get', '/admin/v1/session').expect(200);
    expect(who.body).toMatchObject({ role: 'admin', csrfToken: session.csrf });
    await onTwo('put', '/admin/v1/accounts/shop/properties/consent.cookieMaxAge', {
      value: '86400',
    }).expect(200);
    // The audit log is read from the database: the change made on two, by the session, on one.
    const audit = await one.http().get('/admin/v1/audit?limit=1').set('Cookie', session.cookie);
    expect(audit.body).toMatchObject([{ action: 'property.set', accountId: 'shop' }]);

    await onTwo('delete', '/admin/v1/session').expect(204);
    for (const node of [one, two] as AppHandle[]) {
      await node.http().get('/admin/v1/accounts').set('Cookie', session.cookie).expect(401);
    }
  });
});

describe('an admin session is bound to the admin token in force', () => {
  const apps = useApps();

  it('a node started with another admin token refuses the sessions of the old one', async () => {
    const one = await apps.start({ accounts: ACCOUNTS });
    const session = await signIn(() => one.http());
    // The same database, the admin token changed (as an operator rotating it would restart).
    const rotated = await apps.start(
      { app: `database.url = ${one.ws.databaseUrl}\n`, accounts: ACCOUNTS },
      { env: { PANTRY_ADMIN_TOKEN: 'rotated-admin-token-0123456789' } },
    );
    const res = await rotated.http().get('/admin/v1/accounts').set('Cookie', session.cookie);
    expect({ status: res.status, error: res.body.error }).toEqual({
      status: 401,
      error: 'session_ended',
    });
    // Refused once, the session is gone for every node.
    await one.http().get('/admin/v1/accounts').set('Cookie', session.cookie).expect(401);
    const fresh = await signIn(() => rotated.http(), 'rotated-admin-token-0123456789');
    await rotated.http().get('/admin/v1/accounts').set('Cookie', fresh.cookie).expect(200);
  });
});

describe('the cookie’s transport', () => {
  const pantry = useApp({ app: 'server.trustProxy = true', accounts: ACCOUNTS });
  const signInVia = (headers: Record<string, string>) =>
    pantry.http().post('/admin/v1/session').set(headers).send({ token: TEST_ADMIN_TOKEN });

  it('HTTPS at the proxy → Secure; plain HTTP through a proxy → refused, no cookie', async () => {
    const https = await signInVia({ 'x-forwarded-proto': 'https', 'x-forwarded-for': '192.0.2.7' });
    expect(https.status).toBe(204);
    expect(setCookie(https, COOKIE)!.attributes).toMatchObject({
      secure: true,
      samesite: 'Strict',
      httponly: true,
    });
    const plain: Array<Record<string, string>> = [
      { 'x-forwarded-proto': 'http' },
      { 'x-forwarded-for': '192.0.2.7' },
    ];
    for (const headers of plain) {
      const res = await signInVia(headers);
      expect({
        headers,
        status: res.status,
        error: res.body.error,
        cookie: setCookie(res, COOKIE),
      }).toEqual({
        headers,
        status: 403,
        error: 'insecure_transport',
        cookie: undefined,
      });
    }
  });
});

describe('the console page at /admin/, on the operator listener only', () => {
  let port: number;
  let admin: string;
  beforeAll(async () => {
    port = await freePort();
    admin = `http://127.0.0.1:${port}`;
  });
  const pantry = useApp(() => ({ app: `server.adminPort = ${port}`, accounts: ACCOUNTS }));

  it('static, with a strict CSP, nosniff, no referrer, no-store; /admin redirects to it', async () => {
    const res = await request(admin).get('/admin/').expect(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = Object.fromEntries(
      res.headers['content-security-policy'].split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name, values.join(' ')];
      }),
    );
    expect(csp).toMatchObject({
      'default-src': "'self'",
      'script-src': "'self'",
      'style-src': "'self'",
      'frame-ancestors': "'none'",
      'base-uri': "'none'",
      'form-action': "'self'",
    });
    expect(res.headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    });
    // Nothing inline for the CSP to refuse: no inline script, no style, no handler attribute.
    expect(res.text).toContain('<title>Pantry operator console</title>');
    expect(res.text).not.toMatch(/<script(?![^>]*\ssrc=)|<style|\sstyle=|\son\w+=/i);
    // Its script and stylesheet, from Pantry itself, on the same headers.
    for (const [path, type] of [
      ['/admin/app.js', 'text/javascript; charset=utf-8'],
      ['/admin/app.css', 'text/css; charset=utf-8'],
    ]) {
      const asset = await request(admin).get(path).expect(200);
      expect(asset.headers).toMatchObject({
        'content-type': type,
        'content-security-policy': res.headers['content-security-policy'],
        'x-content-type-options': 'nosniff',
      });
    }
    await request(admin).get('/admin').expect(308).expect('location', '/admin/');
  });

  it('the main port answers it, and the session routes, as unknown routes', async () => {
    for (const path of ['/admin/', '/admin', '/admin/v1/session', '/admin/v1/status']) {
      await pantry.http().get(path).expect(404);
    }
    await pantry.http().post('/admin/v1/session').send({ token: TEST_ADMIN_TOKEN }).expect(404);
    // Beside the page, /admin/<anything else> is an unknown route on the admin port too.
    for (const path of ['/admin/v1/no-such-route', '/admin/index.php', '/admin//']) {
      const res = await request(admin).get(path).expect(404);
      expect(res.body.error).toBe('not_found');
    }
  });

  it('the console signs in on the admin port (a loopback listener)', async () => {
    const session = await signIn(() => request(admin));
    await request(admin).get('/admin/v1/accounts').set('Cookie', session.cookie).expect(200);
  });
});

describe('GET /admin/v1/status: readiness, version, answers per second', () => {
  const pantry = useApp({ accounts: ACCOUNTS });
  const http = () => pantry.http();

  it('counts this node’s answers and refusals per second; the admin token only', async () => {
    // Into a fresh second, then: 5 answered visitor requests, 3 refused (unknown key), 2 admin.
    await sleep(1000 - (Date.now() % 1000));
    // (The second before too: a node answers nothing else here, and the ring moves at each
    // second's start, give or take the timer's delay.)
    const second = Math.floor(Date.now() / 1000) - 1;
    for (let i = 0; i < 5; i++) {
      await http().post('/unblu/v1/identify?x-unblu-apikey=shop-key-0001').expect(200);
    }
    for (let i = 0; i < 3; i++) {
      await http().post('/unblu/v1/identify?x-unblu-apikey=no-such-key-01').expect(401);
    }
    await http().get('/admin/v1/accounts').set(AUTH).expect(200);
    await http().get('/admin/v1/accounts/nope').set(AUTH).expect(404);
    const sent = Math.floor(Date.now() / 1000);
    await sleep(1100 - (Date.now() % 1000));

    const res = await http().get('/admin/v1/status').set(AUTH).expect(200);
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(res.body).toMatchObject({
      ready: true,
      problems: [],
      version: pkg.version,
      counting: true,
      uptimeSeconds: expect.any(Number),
    });
    const seconds = (
      res.body.perSecond as Array<{
        at: string;
        requests: number;
        refusals: number;
        errors: number;
      }>
    ).filter((s) => {
      const at = Date.parse(s.at) / 1000;
      return at >= second && at <= sent;
    });
    const sum = (k: 'requests' | 'refusals' | 'errors') => seconds.reduce((n, s) => n + s[k], 0);
    expect({ requests: sum('requests'), refusals: sum('refusals'), errors: sum('errors') }).toEqual(
      {
        requests: 10,
        refusals: 4,
        errors: 0,
      },
    );
    const [minute, five] = res.body.averages as Array<{ seconds: number; requests: number }>;
    expect(minute.seconds).toBeLessThanOrEqual(60);
    expect(five.seconds).toBeGreaterThanOrEqual(minute.seconds);
    expect(minute.requests).toBeGreaterThan(0);
  });

  it('a credential gets 403 server_route, nobody 401', async () => {
    const made = await http()
      .post('/admin/v1/accounts/shop/credentials')
      .set(AUTH)
      .send({ name: 'status reader', role: 'owner' })
      .expect(201);
    const res = await http()
      .get('/admin/v1/status')
      .set('authorization', `Bearer ${made.body.token as string}`);
    expect({ status: res.status, error: res.body.error }).toEqual({
      status: 403,
      error: 'server_route',
    });
    await http().get('/admin/v1/status').expect(401);
  });
});
