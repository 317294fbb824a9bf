import { connect } from 'node:net';
import request from 'supertest';
import { SecretsService } from '../src/secrets/secrets.service';
import { signAssertion } from './helpers/assertions';
import { CaptureLogger } from './helpers/capture-logger';
import { cookieHeader, setCookies } from './helpers/cookies';
import { rawRequest } from './helpers/raw-http';
import { TEST_ADMIN_TOKEN, useApp } from './helpers/test-app';
import { ownSeries } from './helpers/metrics';

const KEY = 'shop-key-0001';
const n = (c: string) => `x-unblu-${KEY}-${c}`;
const ORIGIN = 'https://www.shop.com';
const ASSERTION_SECRET = 'shop-assertion-secret-0123456789-abcdef';

/** An input, and the status and error code it gets (by default a 200 that identifies). */
type Hostile = [string, (r: request.Test) => request.Test, number?, string?];
const REFUSED = [403, 'origin_not_allowed'] as const;

const longJunk = 'x'.repeat(12_000);
const nested = '['.repeat(5000) + ']'.repeat(5000);

describe('hostile input never yields a 5xx', () => {
  const logger = new CaptureLogger();
  const issuedValues: string[] = [];

  const pantry = useApp(
    {
      app: 'server.trustProxy = true',
      accounts: {
        shop: [
          `account.apiKeys = ${KEY}`,
          `server.cors.allowedOrigins = ${ORIGIN}, https://*.shop.com`,
          'identifier.cookieDomain = AUTO',
          'consent.required = false',
          `authentication.assertionSecret = ${ASSERTION_SECRET}`,
          `bridge.targets = ${ORIGIN}`,
        ].join('\n'),
      },
    },
    { logger },
  );

  const cases: Hostile[] = [
    ['oversized Cookie', (r) => r.set('Cookie', `${n('session')}=${longJunk}`)],
    [
      'thousands of cookie pairs',
      (r) => r.set('Cookie', Array.from({ length: 1500 }, (_, i) => `c${i}=v`).join('; ')),
    ],
    [
      'duplicated names',
      (r) => r.set('Cookie', `${n('session')}=a.b; ${n('session')}=c.d; ${n('session')}=`),
    ],
    ['quotes', (r) => r.set('Cookie', `${n('device')}="abc.def"; ${n('session')}="`)],
    ['percent junk', (r) => r.set('Cookie', `${n('device')}=%E0%A4%A; %%%=%; ${n('session')}=%`)],
    [
      'non-ASCII (latin-1)',
      (r) => r.set('Cookie', `${n('device')}=\u00e9\u00e8.\u00ff; caf\u00e9=1`),
    ],
    ['empty names and separators', (r) => r.set('Cookie', '=; ;;=x; =; a')],
    [
      'forged value shapes',
      (r) => r.set('Cookie', `${n('anonymous-person')}=${'A'.repeat(22)}.${'B'.repeat(22)}`),
    ],
    [
      'a value of 64+ id characters',
      (r) => r.set('Cookie', `${n('anonymous-person')}=${'A'.repeat(200)}.${'B'.repeat(22)}`),
    ],
    ['junk echo header', (r) => r.set('x-unblu-cookie', `${longJunk}; ==; \u00e9=\u00e9`)],
    ['echo header with a JSON payload', (r) => r.set('x-unblu-cookie', '{"v":1,"cookies":[]}')],
    ['Origin null', (r) => r.set('Origin', 'null'), ...REFUSED],
    ['Origin empty', (r) => r.set('Origin', ''), ...REFUSED],
    ['Origin without host', (r) => r.set('Origin', 'https://'), ...REFUSED],
    ['Origin javascript:', (r) => r.set('Origin', 'javascript:alert(1)'), ...REFUSED],
    ['Origin list', (r) => r.set('Origin', `${ORIGIN}, https://evil.com`), ...REFUSED],
    [
      'Origin very long',
      (r) => r.set('Origin', `https://${'a'.repeat(5000)}.shop.com`),
      ...REFUSED,
    ],
    ['Origin non-ASCII', (r) => r.set('Origin', 'https://www.sh\u00f6p.com'), ...REFUSED],
    ['Host junk', (r) => r.set('Host', 'evil.com:99999').set('Origin', ORIGIN)],
    ['Host with path', (r) => r.set('Host', 'evil.com/a?b').set('Origin', ORIGIN)],
    ['Host IPv6 unterminated', (r) => r.set('Host', '[::1').set('Origin', ORIGIN)],
    [
      'X-Forwarded-Host junk',
      (r) => r.set('X-Forwarded-Host', '\u00e9\u00e9, ,').set('X-Forwarded-Proto', 'gopher'),
    ],
    [
      'X-Forwarded-Host a public suffix',
      (r) => r.set('X-Forwarded-Host', 'co.uk').set('Origin', ORIGIN),
    ],
    ['Sec-GPC junk', (r) => r.set('Sec-GPC', '1, 0, \u00e9')],
    ['JSON body on identify', (r) => r.send({ anything: [1, 2, 3] })],
    [
      'malformed JSON on identify',
      (r) => r.set('Content-Type', 'application/json').send('{"a":'),
      400,
      'bad_request',
    ],
    [
      'deeply nested JSON',
      (r) => r.set('Content-Type', 'application/json').send(nested),
      400,
      'bad_request',
    ],
    // identify takes no body: one it can parse is ignored.
    ['text body', (r) => r.set('Content-Type', 'text/plain').send('hello')],
    [
      'oversized body',
      (r) => r.set('Content-Type', 'application/json').send(`{"a":"${'x'.repeat(100_000)}"}`),
      413,
      'payload_too_large',
    ],
  ];

  it.each(cases)('identify: %s', async (_what, apply, status = 200, code?) => {
    const res = await apply(
      pantry
        .http()
        .post(`/unblu/v1/identify?x-unblu-apikey=${KEY}`)
        .set('Host', 'cookies.shop.com'),
    );
    expect([res.status, res.body.error]).toEqual([status, code]);
    if (status === 200) {
      expect(res.body.visitorId).toMatch(/^[A-Za-z0-9_-]{22}$/);
      for (const c of setCookies(res)) {
        expect(c.value).toMatch(/^[A-Za-z0-9._-]*$/);
        issuedValues.push(c.value);
      }
    } else {
      expect(res.body).toMatchObject({ statusCode: status, message: expect.any(String) });
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(res.headers['x-unblu-set-cookie']).toBeUndefined();
    }
  });

  it.each<[string, string, (r: request.Test) => request.Test, number, string]>([
    [
      'a huge API key',
      `/unblu/v1/identify?x-unblu-apikey=${'k'.repeat(5000)}`,
      (r) => r,
      401,
      'unknown_api_key',
    ],
    [
      'an API key with control characters',
      '/unblu/v1/identify?x-unblu-apikey=%00%0d%0a',
      (r) => r,
      401,
      'unknown_api_key',
    ],
    [
      'an API key object',
      '/unblu/v1/identify?x-unblu-apikey[a]=b',
      (r) => r,
      401,
      'api_key_required',
    ],
    [
      'consent with null body',
      `/unblu/v1/consent?x-unblu-apikey=${KEY}`,
      (r) => r.set('Content-Type', 'application/json').send('null'),
      400,
      'bad_request',
    ],
    [
      'consent with a string body',
      `/unblu/v1/consent?x-unblu-apikey=${KEY}`,
      (r) => r.set('Content-Type', 'application/json').send('"granted"'),
      400,
      'bad_request',
    ],
    [
      'consent with __proto__',
      `/unblu/v1/consent?x-unblu-apikey=${KEY}`,
      (r) => r.set('Content-Type', 'application/json').send('{"__proto__":{"granted":true}}'),
      400,
      'bad_request',
    ],
    [
      'consent with granted null',
      `/unblu/v1/consent?x-unblu-apikey=${KEY}`,
      (r) => r.send({ granted: null }),
      400,
      'bad_request',
    ],
    [
      'consent from a refused origin',
      `/unblu/v1/consent?x-unblu-apikey=${KEY}`,
      (r) => r.set('Origin', 'https://evil.com').send({ granted: true }),
      ...REFUSED,
    ],
  ])('%s: a 4xx with its code, nothing set', async (_what, url, apply, status, code) => {
    const res = await apply(pantry.http().post(url));
    expect([res.status, res.body.error]).toEqual([status, code]);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.body).toMatchObject({ statusCode: status, message: expect.any(String) });
  });

  it('survives raw requests with bytes the HTTP parser refuses', async () => {
    const server = pantry.app.getHttpServer();
    // Through the app, so that closing the app closes the server.
    if (!server.address()) await pantry.app.listen(0, '127.0.0.1');
    const target = (server.address() as { port: number }).port;
    const reply = await new Promise<string>((resolve) => {
      const socket = connect(target, '127.0.0.1', () => {
        socket.write(
          `POST /unblu/v1/identify?x-unblu-apikey=${KEY} HTTP/1.1\r\nHost: x\r\nCookie: a=\u0001\u0000b\r\n\r\n`,
          'latin1',
        );
      });
      let data = '';
      socket.on('data', (d) => (data += d.toString('latin1')));
      socket.on('close', () => resolve(data));
      socket.on('error', () => resolve(data));
      setTimeout(() => socket.destroy(), 2000).unref();
    });
    expect(reply).toMatch(/^HTTP\/1\.1 4\d\d/);
    await pantry.http().post(`/unblu/v1/identify?x-unblu-apikey=${KEY}`).expect(200);
  });

  /** A request head as written (supertest sets one Host), on a connection closed after it. */
  const raw = async (head: string) => {
    const server = pantry.app.getHttpServer();
    if (!server.address()) await pantry.app.listen(0, '127.0.0.1');
    return rawRequest(
      (server.address() as { port: number }).port,
      `${head}\r\nConnection: close\r\n\r\n`,
    );
  };

  it.each<[string, number, string]>([
    ['two Host fields', 400, `Host: cookies.shop.com\r\nHost: evil.com`],
    ['two Host fields, one empty', 400, `Host: cookies.shop.com\r\nhost: `],
    ['two Host fields, same value', 400, `HOST: cookies.shop.com\r\nhost: cookies.shop.com`],
    ['one Host field', 200, 'Host: cookies.shop.com'],
  ])('identify with %s: %d', async (_what, status, hosts) => {
    const res = await raw(`POST /unblu/v1/identify?x-unblu-apikey=${KEY} HTTP/1.1\r\n${hosts}`);
    expect(res.status).toBe(status);
    if (status === 400) {
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(JSON.parse(res.body)).toMatchObject({ statusCode: 400, error: 'bad_request' });
    }
  });

  it.each<[string, number, string]>([
    ['absolute-form', 200, `POST http://cookies.shop.com/unblu/v1/identify?x-unblu-apikey=${KEY}`],
    ['absolute-form with userinfo', 400, `POST http://u:p@cookies.shop.com/unblu/v1/identify`],
    ['the asterisk', 400, 'POST *'],
    ['OPTIONS *', 200, 'OPTIONS *'],
  ])('a request target in %s: %d', async (_what, status, line) => {
    const res = await raw(`${line} HTTP/1.1\r\nHost: elsewhere.test`);
    expect(res.status).toBe(status);
    if (line.startsWith('POST http://cookies')) {
      expect(JSON.parse(res.body)).toMatchObject({ account: 'shop' });
      // The target's host, not the Host field, is the server host the cookies are for.
      expect(res.headers['set-cookie']).toContain('Domain=shop.com');
    }
  });

  it('takes the first of repeated API-key parameters', async () => {
    const res = await pantry
      .http()
      .post(`/unblu/v1/identify?x-unblu-apikey=${KEY}&x-unblu-apikey=other-key-1`)
      .expect(200);
    expect(res.body.account).toBe('shop');
  });

  // Login and the admin customer routes (issue 24): a few hundred of each class.
  const api = () => pantry.http();
  const admin = (t: request.Test) => t.set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`);
  const login = async (claims: Record<string, unknown>) =>
    api()
      .post(`/unblu/v1/login?x-unblu-apikey=${KEY}`)
      .send({ assertion: await signAssertion(ASSERTION_SECRET, 'shop', 'customer-h', claims) });
  const customer = (id: string) => `/admin/v1/accounts/shop/customers/${encodeURIComponent(id)}`;

  // A deterministic generator: the same inputs on every run, a few hundred of them.
  let seed = 24;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const pick = <T>(list: readonly T[]) => list[rand(list.length)];
  const text = (alphabet: readonly string[], length: number) =>
    Array.from({ length }, () => pick(alphabet)).join('');
  const INVISIBLE = [
    ...'\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u202a\u202e\u2066\u2069\u00ad\u180e',
    ...' \u00a0\u1680\u2000\u2007\u200a\u2028\u2029\u202f\u205f\u3000',
  ];
  const PRINTABLE = [...'aZ09-_.@ /?#%&+=', 'é', '€', '顧', '😀', '👩\u200d💻'];

  const series = async () => ownSeries((await api().get('/metrics').expect(200)).text).length;

  async function round(): Promise<number> {
    let sent = 0;
    const expectAnswer = async (res: Promise<request.Response>, status: number, code: string) => {
      const answer = await res;
      sent++;
      expect([answer.status, answer.body.error]).toEqual([status, code]);
    };
    for (let i = 0; i < 60; i++) {
      // Only invisible characters (format, separators, spaces): blank.
      await expectAnswer(login({ sub: text(INVISIBLE, 1 + rand(40)) }), 400, 'invalid_customer_id');
      // iat from 61 s to ~30 years ahead.
      await expectAnswer(
        login({ iat: Math.floor(Date.now() / 1000) + 61 + rand(10 ** 9) }),
        401,
        'invalid_assertion',
      );
      // Over the limit, in any script: refused at login and at both admin routes, never 414.
      const long = text(PRINTABLE, 257 + rand(3000));
      await expectAnswer(login({ sub: long }), 400, 'invalid_customer_id');
      for (const method of ['get', 'delete'] as const) {
        const answer = await admin(api()[method](customer(long)));
        sent++;
        expect(answer.status).toBe(400);
        expect(['invalid_customer_id', 'path_parameter_too_long']).toContain(answer.body.error);
      }
    }
    for (let i = 0; i < 15; i++) {
      // Up to the limit, in any script: the whole life of a customer works.
      const limited = [...`c${text(PRINTABLE, rand(256))}`].slice(0, 256).join('');
      const res = await login({ sub: limited });
      sent++;
      expect([res.status, res.body.customerId]).toEqual([200, limited]);
      await admin(api().get(customer(limited))).expect(200);
      await admin(api().delete(customer(limited))).expect(204);
      await admin(api().get(customer(limited))).expect(404);
      sent += 3;
    }
    return sent;
  }

  it('logins and customer ids: exact statuses; log lines and metric series do not grow with the inputs', async () => {
    const before = { lines: logger.lines.length, series: await series() };
    const first = await round();
    const after = { lines: logger.lines.length, series: await series() };
    const second = await round();
    expect(first + second).toBeGreaterThan(600);
    // The second round adds no series, and no request wrote more than one line.
    expect(await series()).toBe(after.series);
    expect(after.series - before.series).toBeLessThan(400);
    expect(logger.lines.length - before.lines).toBeLessThanOrEqual(first + second);
    expect(logger.lines.filter((l) => l.startsWith('error'))).toEqual([]);
  });

  it('bridge headers (forged, malformed, planted tokens): 200, the victim keeps its id, bounded outcomes', async () => {
    const identify = (cookie: string, token?: string) => {
      const t = api()
        .post(`/unblu/v1/identify?x-unblu-apikey=${KEY}`)
        .set('Origin', ORIGIN)
        .set('Cookie', cookie);
      return token === undefined ? t : t.set('x-unblu-bridge', token);
    };
    const victim = await identify('').expect(200);
    const victimCookies = cookieHeader(victim);
    const attacker = cookieHeader(await identify('').expect(200));
    const TOKEN_CHARS = [...'abcXYZ019-_.~+/=%', 'é', '\u200b'];
    const before = logger.lines.length;
    let sent = 0;
    for (let i = 0; i < 150; i++) {
      // A real token of another visitor, planted in a link the victim follows.
      const planted = await api()
        .post(`/unblu/v1/bridge?x-unblu-apikey=${KEY}`)
        .set('Origin', ORIGIN)
        .set('Cookie', attacker)
        .send({ to: `${ORIGIN}/cart?i=${i}` })
        .expect(200);
      const kept = await identify(victimCookies, planted.body.token as string);
      expect([kept.status, kept.body.bridged, kept.body.bridge, kept.body.visitorId]).toEqual([
        200,
        false,
        'already_identified',
        victim.body.visitorId,
      ]);
      // Forged or malformed: invalid, never a 5xx (header-unsafe characters are sent encoded).
      const forged = encodeURIComponent(text(TOKEN_CHARS, 1 + rand(120)));
      const junk = await identify(victimCookies, forged);
      expect([junk.status, junk.body.bridged, junk.body.visitorId]).toEqual([
        200,
        false,
        victim.body.visitorId,
      ]);
      expect(['invalid', 'used', 'expired', 'wrong_account']).toContain(junk.body.bridge);
      sent += 3;
    }
    expect(sent).toBeGreaterThanOrEqual(450);
    expect(logger.lines.length - before).toBeLessThanOrEqual(sent);
    expect(logger.lines.filter((l) => l.startsWith('error'))).toEqual([]);
    const outcomes = (await api().get('/metrics').expect(200)).text
      .split('\n')
      .filter((l) => l.startsWith('pantry_bridge_total{'));
    expect(outcomes.length).toBeLessThanOrEqual(10);
  });

  it('wrote no secret and no cookie value to the log', () => {
    const secrets = pantry.app.get(SecretsService);
    expect(issuedValues.length).toBeGreaterThan(10);
    const text = logger.text;
    for (const value of [
      ...issuedValues.filter((v) => v.length > 0),
      ...secrets.signingSecrets,
      TEST_ADMIN_TOKEN,
      secrets.encryptionKey.toString('base64'),
    ]) {
      expect(text).not.toContain(value);
    }
  });
});
