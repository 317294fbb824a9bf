import { createCipheriv, createHmac, randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import { MetricsService } from '../src/metrics/metrics.service';
import { signAssertion } from './helpers/assertions';
import { CaptureLogger } from './helpers/capture-logger';
import { cookieHeader, setCookie } from './helpers/cookies';
import { TEST_ADMIN_TOKEN, useApp } from './helpers/test-app';

const SECRET = 'shop-assertion-secret-0123456789-abcdef';
const KEY = 'shop-key-0001';
const auth = (key = KEY) => `x-unblu-${key}-authsession`;
const person = (key = KEY) => `x-unblu-${key}-anonymous-person`;

/** What the site's backend does after its own login. */
const assertion = (
  sub: string,
  over: Record<string, unknown> = {},
  secret = SECRET,
  alg = 'HS256',
) => signAssertion(secret, 'shop', sub, over, alg);

describe('known visitors: login, authsession, linking, erasure', () => {
  const logger = new CaptureLogger();
  const secrets: string[] = [];
  const api = () => pantry.http();
  const admin = (t: request.Test) => t.set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`);
  const identify = (cookie = '', key = KEY) =>
    api().post(`/unblu/v1/identify?x-unblu-apikey=${key}`).set('Cookie', cookie);
  const login = (token: unknown, cookie = '', key = KEY) =>
    api()
      .post(`/unblu/v1/login?x-unblu-apikey=${key}`)
      .set('Cookie', cookie)
      .send({ assertion: token });
  const logout = (cookie: string) =>
    api().post(`/unblu/v1/logout?x-unblu-apikey=${KEY}`).set('Cookie', cookie);

  const pantry = useApp(
    {
      accounts: {
        shop: [
          `account.apiKeys = ${KEY}`,
          'consent.required = false',
          `authentication.assertionSecret = ${SECRET}`,
          'authentication.maxLinkedVisitors = 2',
        ].join('\n'),
        news: ['account.apiKeys = news-key-0001', 'consent.required = false'].join('\n'),
        gated: [
          'account.apiKeys = gated-key-001',
          `authentication.assertionSecret = ${SECRET}`,
        ].join('\n'),
      },
    },
    { logger },
  );

  /** A browser: its cookies after each answer. */
  async function device() {
    const first = await identify().expect(200);
    return { jar: cookieHeader(first), visitorId: first.body.visitorId as string };
  }

  it('logs in: the authsession holds no customer id, identify answers the customer, the admin sees the link', async () => {
    const d = await device();
    const token = await assertion('customer-alice');
    secrets.push(token, 'customer-alice');
    const res = await login(token, d.jar).expect(200);
    expect(res.body).toMatchObject({ customerId: 'customer-alice', visitorId: d.visitorId });
    const cookie = setCookie(res, auth())!;
    expect(cookie.attributes).toMatchObject({ httponly: true, 'max-age': '604800' });
    expect(cookie.value).not.toContain('customer-alice');
    expect(Buffer.from(cookie.value, 'base64url').toString('latin1')).not.toContain('alice');
    secrets.push(cookie.value);

    const again = await identify(cookieHeader(await identify(d.jar), res)).expect(200);
    expect(again.body).toMatchObject({ customerId: 'customer-alice', visitorId: d.visitorId });
    const anonymous = await identify(d.jar).expect(200);
    expect(anonymous.body.customerId).toBeUndefined();

    const customer = await admin(
      api().get('/admin/v1/accounts/shop/customers/customer-alice'),
    ).expect(200);
    expect(customer.body).toEqual({
      customerId: 'customer-alice',
      visitors: [
        { visitorId: d.visitorId, linkedAt: expect.any(String), lastSeen: expect.any(String) },
      ],
      sessions: 1,
    });
    const record = await admin(api().get(`/admin/v1/accounts/shop/visitors/${d.visitorId}`)).expect(
      200,
    );
    expect(record.body.customerId).toBe('customer-alice');
  });

  it('a jti works once', async () => {
    const d = await device();
    const token = await assertion('customer-once');
    await login(token, d.jar).expect(200);
    const before = await loginCounts();
    const reused = await login(token, d.jar).expect(401);
    expect(reused.body).toMatchObject({
      error: 'invalid_assertion',
      message: expect.stringMatching(/used/),
    });
    expect(reused.headers['set-cookie']).toBeUndefined();
    // The same code as a forged signature, but counted apart: a replay is not a forgery.
    const forged = await login(await assertion('customer-once', {}, `${SECRET}-forged`), d.jar);
    expect(forged.status).toBe(401);
    expect(forged.body.error).toBe('invalid_assertion');
    const after = await loginCounts();
    expect(after.get('assertion_reused')).toBe((before.get('assertion_reused') ?? 0) + 1);
    expect(after.get('invalid_assertion')).toBe((before.get('invalid_assertion') ?? 0) + 1);
  });

  /** pantry_login_total by outcome. */
  async function loginCounts(): Promise<Map<string, number>> {
    const metric = await pantry.app.get(MetricsService).logins.get();
    return new Map(metric.values.map((v) => [String(v.labels.outcome), v.value]));
  }

  it('a second customer on the same device gets a fresh anonymous id: two customers are never merged', async () => {
    const d = await device();
    await login(await assertion('customer-bob'), d.jar).expect(200);
    const carol = await login(await assertion('customer-carol'), d.jar).expect(200);
    expect(carol.body.visitorId).not.toBe(d.visitorId);
    expect(setCookie(carol, person())!.value.startsWith(`${carol.body.visitorId}.`)).toBe(true);
    const bob = await admin(api().get('/admin/v1/accounts/shop/customers/customer-bob')).expect(
      200,
    );
    expect(bob.body.visitors.map((v: { visitorId: string }) => v.visitorId)).toEqual([d.visitorId]);
    const c = await admin(api().get('/admin/v1/accounts/shop/customers/customer-carol')).expect(
      200,
    );
    expect(c.body.visitors.map((v: { visitorId: string }) => v.visitorId)).toEqual([
      carol.body.visitorId,
    ]);
  });

  it('keeps at most authentication.maxLinkedVisitors ids, unlinking the least recently seen', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const d = await device();
      ids.push(d.visitorId);
      await login(await assertion('customer-dave'), d.jar).expect(200);
      await new Promise((r) => setTimeout(r, 5));
    }
    const dave = await admin(api().get('/admin/v1/accounts/shop/customers/customer-dave')).expect(
      200,
    );
    expect(dave.body.visitors.map((v: { visitorId: string }) => v.visitorId).sort()).toEqual(
      ids.slice(1).sort(),
    );
  });

  it('logout revokes the session, deletes its cookie and rotates the anonymous id', async () => {
    const d = await device();
    const res = await login(await assertion('customer-erin'), d.jar).expect(200);
    const jar = cookieHeader(await identify(d.jar), res);
    const out = await logout(jar).expect(200);
    expect(setCookie(out, auth())!.attributes['max-age']).toBe('0');
    expect(out.body.visitorId).not.toBe(d.visitorId);
    expect(out.body.customerId).toBeUndefined();
    // The old authsession, replayed: refused and deleted.
    const replay = await identify(jar).expect(200);
    expect(replay.body.customerId).toBeUndefined();
    expect(setCookie(replay, auth())!.attributes['max-age']).toBe('0');
  });

  it('erasing a customer erases its visitors and sessions: the old cookies are refused', async () => {
    const d = await device();
    const res = await login(await assertion('customer-frank'), d.jar).expect(200);
    const jar = cookieHeader(await identify(d.jar), res);
    await admin(api().delete('/admin/v1/accounts/shop/customers/customer-frank')).expect(204);
    const after = await identify(jar).expect(200);
    expect(after.body.visitorId).not.toBe(d.visitorId);
    expect(after.body.customerId).toBeUndefined();
    await admin(api().get('/admin/v1/accounts/shop/customers/customer-frank')).expect(404);
    await admin(api().get(`/admin/v1/accounts/shop/visitors/${d.visitorId}`)).expect(404);
    const audit = await admin(api().get('/admin/v1/audit?accountId=shop&limit=5')).expect(200);
    expect(audit.body[0]).toMatchObject({ action: 'customer.erase', target: null });
  });

  it('is strictly per account', async () => {
    const d = await device();
    const res = await login(await assertion('customer-gina'), d.jar).expect(200);
    await admin(api().get('/admin/v1/accounts/news/customers/customer-gina')).expect(404);
    await admin(api().delete('/admin/v1/accounts/news/customers/customer-gina')).expect(404);
    // The shop's authsession, sent under the news cookie name: foreign, ignored and deleted.
    const value = setCookie(res, auth())!.value;
    const news = await identify(`${auth('news-key-0001')}=${value}`, 'news-key-0001').expect(200);
    expect(news.body.customerId).toBeUndefined();
    expect(setCookie(news, auth('news-key-0001'))!.attributes['max-age']).toBe('0');
    // news has no assertion secret: login is disabled there.
    expect((await login(await assertion('x'), '', 'news-key-0001').expect(403)).body.error).toBe(
      'login_disabled',
    );
  });

  it('needs consent', async () => {
    const gated = await identify('', 'gated-key-001').expect(200);
    const res = await login(
      await assertion('customer-h', { aud: 'gated' }),
      cookieHeader(gated),
      'gated-key-001',
    ).expect(409);
    expect(res.body.error).toBe('consent_required');
  });

  it('on a fresh browser, issued lists every cookie login set anew', async () => {
    const res = await login(await assertion('customer-fresh')).expect(200);
    expect(res.body.issued).toEqual(['device', 'anonymous-person', 'session', 'authsession']);
    expect(setCookie(res, person())!.value.startsWith(`${res.body.visitorId}.`)).toBe(true);
    expect(setCookie(res, auth())).toBeDefined();
    // A returning browser: only its new login session is new.
    const again = await login(await assertion('customer-fresh'), cookieHeader(res)).expect(200);
    expect(again.body).toMatchObject({ visitorId: res.body.visitorId, issued: ['authsession'] });
  });

  describe('one customer id limit, 256 characters, at login and the admin routes', () => {
    const customerPath = (id: string) =>
      `/admin/v1/accounts/shop/customers/${encodeURIComponent(id)}`;
    it.each<[string, string]>([
      ['256 ASCII characters', 'a'.repeat(256)],
      ['256 characters that need percent-encoding', 'a/b?c#d%e f+&'.repeat(20).slice(0, 256)],
      ['256 three-byte characters (2,304 in the URL)', '€'.repeat(256)],
      ['256 emoji (3,072 in the URL)', '😀'.repeat(256)],
    ])('%s: logs in, is looked up and erased', async (_what, id) => {
      const d = await device();
      const res = await login(await assertion(id), d.jar).expect(200);
      expect(res.body.customerId).toBe(id);
      const found = await admin(api().get(customerPath(id))).expect(200);
      expect(found.body).toMatchObject({ customerId: id, sessions: 1 });
      expect(found.body.visitors).toEqual([expect.objectContaining({ visitorId: d.visitorId })]);
      await admin(api().delete(customerPath(id))).expect(204);
      await admin(api().get(customerPath(id))).expect(404);
      await admin(api().get(`/admin/v1/accounts/shop/visitors/${d.visitorId}`)).expect(404);
    });
    it.each<[string, string, string]>([
      ['257 ASCII characters', 'a'.repeat(257), 'invalid_customer_id'],
      ['257 emoji', '😀'.repeat(257), 'invalid_customer_id'],
      ['257 three-byte characters', '€'.repeat(257), 'invalid_customer_id'],
      ['5,000 characters', 'b'.repeat(5000), 'path_parameter_too_long'],
    ])('%s: 400 at login and at the admin routes, never 414', async (_what, id, adminCode) => {
      const res = await login(await assertion(id)).expect(400);
      expect(res.body).toMatchObject({
        error: 'invalid_customer_id',
        message: expect.stringMatching(/256/),
      });
      for (const method of ['get', 'delete'] as const) {
        const answer = await admin(api()[method](customerPath(id))).expect(400);
        expect(answer.body).toMatchObject({ statusCode: 400, error: adminCode });
        expect(answer.body.message).toMatch(/256/);
      }
    });
  });

  describe('sub made of invisible characters: 400 invalid_customer_id', () => {
    it.each<[string, string]>([
      ['zero-width spaces', '\u200b\u200b\u200b'],
      ['a byte-order mark', '\ufeff'],
      ['joiners and a word joiner', '\u200d\u200c\u2060'],
      ['bidi marks', '\u200e\u200f'],
      ['no-break and ideographic spaces', '\u00a0\u3000'],
      ['a soft hyphen', '\u00ad'],
      ['a tab', '\t'],
      ['a control character inside', 'customer\u0007x'],
      ['a placeholder behind zero-width spaces', '\u200bnull\u200b'],
    ])('%s', async (_what, sub) => {
      const res = await login(await assertion(sub)).expect(400);
      expect(res.body.error).toBe('invalid_customer_id');
      expect(res.headers['set-cookie']).toBeUndefined();
    });
    it('the admin routes refuse them too', async () => {
      const res = await admin(
        api().get(`/admin/v1/accounts/shop/customers/${encodeURIComponent('\u200b\u200b')}`),
      ).expect(400);
      expect(res.body.error).toBe('invalid_customer_id');
    });
  });

  describe('iat ahead of the clock by more than the 60 s leeway: 401', () => {
    const now = () => Math.floor(Date.now() / 1000);
    it.each<[string, number]>([
      ['two minutes', 120],
      ['an hour', 3600],
      ['ten years', 10 * 365 * 86_400],
    ])('%s ahead', async (_what, ahead) => {
      const res = await login(await assertion('customer-iat', { iat: now() + ahead })).expect(401);
      expect(res.body).toMatchObject({
        error: 'invalid_assertion',
        message: expect.stringMatching(/^iat is more than 60 s in the future/),
      });
      expect(res.headers['set-cookie']).toBeUndefined();
    });
    it('within the leeway is accepted', async () => {
      await login(await assertion('customer-iat', { iat: now() + 30 })).expect(200);
    });
  });

  describe('bad assertions: a clear 4xx, nothing set', () => {
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const now = () => Math.floor(Date.now() / 1000);
    const claims = () => ({
      sub: 'customer-x',
      aud: 'shop',
      iat: now(),
      exp: now() + 60,
      jti: randomUUID(),
    });
    it.each<[string, () => Promise<unknown>, number, string]>([
      [
        'alg none',
        () => Promise.resolve(`${b64({ alg: 'none' })}.${b64(claims())}.`),
        401,
        'invalid_assertion',
      ],
      [
        'RS256 with the secret as the key',
        () => {
          const head = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64(claims())}`;
          const sig = createHmac('sha256', SECRET).update(head).digest('base64url');
          return Promise.resolve(`${head}.${sig}`);
        },
        401,
        'invalid_assertion',
      ],
      ['a wrong aud', () => assertion('customer-x', { aud: 'news' }), 401, 'invalid_assertion'],
      ['no aud', () => assertion('customer-x', { aud: undefined }), 401, 'invalid_assertion'],
      [
        'exp in the past',
        () => assertion('customer-x', { exp: now() - 600 }),
        401,
        'invalid_assertion',
      ],
      [
        'exp a day ahead',
        () => assertion('customer-x', { exp: now() + 86_400 }),
        401,
        'invalid_assertion',
      ],
      ['no jti', () => assertion('customer-x', { jti: undefined }), 401, 'invalid_assertion'],
      [
        'another secret',
        () => assertion('customer-x', {}, 'another-secret-0123456789-abcdefgh'),
        401,
        'invalid_assertion',
      ],
      [
        'a non-JSON payload',
        () => Promise.resolve(`${b64({ alg: 'HS256' })}.bm90IGpzb24.c2ln`),
        401,
        'invalid_assertion',
      ],
      ['a 10 KB token', () => Promise.resolve('a'.repeat(10_000)), 401, 'invalid_assertion'],
      ['not a string', () => Promise.resolve(42), 400, 'bad_request'],
      ['sub "null"', () => assertion('null'), 400, 'invalid_customer_id'],
      ['sub "anonymous"', () => assertion('anonymous'), 400, 'invalid_customer_id'],
      ['sub "0"', () => assertion('0'), 400, 'invalid_customer_id'],
      ['sub of spaces', () => assertion('   '), 400, 'invalid_customer_id'],
      ['sub of 2 KB', () => assertion('c'.repeat(2048)), 400, 'invalid_customer_id'],
    ])('%s', async (_what, make, status, code) => {
      const token = await make();
      if (typeof token === 'string') secrets.push(token);
      const res = await login(token).expect(status);
      expect(res.body.error).toBe(code);
      expect(res.headers['set-cookie']).toBeUndefined();
    });
    it('a 100 KB assertion: 413', async () => {
      await login('a'.repeat(100_000)).expect(413);
    });
  });

  describe('bad authsession cookies: ignored and deleted, never a 5xx', () => {
    const encrypt = (key: Buffer, text: string) => {
      const iv = randomBytes(16);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(text), c.final()]);
      return Buffer.concat([iv, body, c.getAuthTag()]).toString('base64url');
    };
    it.each<[string, () => string]>([
      ['forged', () => 'AAAA' + randomBytes(60).toString('base64url')],
      ['encrypted with a rotated-out key', () => encrypt(randomBytes(32), `UP:${randomUUID()}`)],
      ['junk', () => 'not-an-authsession'],
      ['very long', () => 'A'.repeat(3000)],
    ])('%s', async (_what, make) => {
      const res = await identify(`${auth()}=${make()}`).expect(200);
      expect(res.body.customerId).toBeUndefined();
      expect(setCookie(res, auth())!.attributes['max-age']).toBe('0');
    });
  });

  it('shows the assertion secret to no one, and logs no assertion, session or customer id', async () => {
    await admin(api().put('/admin/v1/accounts/news/properties/authentication.assertionSecret'))
      .send({ value: 'news-assertion-secret-0123456789-xyz' })
      .expect(200);
    const props = await admin(api().get('/admin/v1/accounts/news/properties')).expect(200);
    const view = props.body.find(
      (p: { key: string }) => p.key === 'authentication.assertionSecret',
    );
    expect(view).toMatchObject({ value: '(redacted)', source: 'api' });
    const audit = await admin(api().get('/admin/v1/audit?accountId=news&limit=3')).expect(200);
    expect(JSON.stringify(audit.body)).not.toContain('news-assertion-secret');
    expect(JSON.stringify(props.body)).not.toContain(SECRET);
    for (const s of [...secrets, SECRET, 'news-assertion-secret']) {
      expect(logger.text).not.toContain(s);
    }
    expect(logger.text).not.toMatch(/customer-[a-z]+/);
  });
});
