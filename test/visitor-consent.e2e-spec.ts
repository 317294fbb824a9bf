import { cookieHeader, echoFromRelay, relay, setCookie, setCookies } from './helpers/cookies';
import { useApp } from './helpers/test-app';

const KEY = 'shop-key-0001';
const n = (cookie: string) => `x-unblu-${KEY}-${cookie}`;
const ORIGIN = 'https://www.shop.com';

describe('consent', () => {
  const call = (path: 'identify' | 'consent') =>
    pantry
      .http()
      .post(`/unblu/v1/${path}?x-unblu-apikey=${KEY}`)
      .set('Host', 'pantry.saas.io')
      .set('Origin', ORIGIN);

  const pantry = useApp({
    accounts: {
      shop: [
        `account.apiKeys = ${KEY}`,
        `server.cors.allowedOrigins = ${ORIGIN}`,
        'server.cors.corsCookieMode = LOCAL_DOMAIN_STORAGE',
        'identifier.visitorClientCookieDomain = AUTO',
        'consent.cookieMaxAge = 86400',
      ].join('\n'),
    },
  });

  it('issues no identity cookies while consent is required and unset', async () => {
    const res = await call('identify').expect(200);
    expect(res.body).toMatchObject({
      visitorId: null,
      deviceId: null,
      consent: 'unset',
      issued: ['session'],
    });
    expect(setCookies(res).map((c) => c.name)).toEqual([n('session')]);
  });

  it('grant: stores the decision and issues the identity cookies, by Set-Cookie and relay', async () => {
    const res = await call('consent').send({ granted: true }).expect(200);
    expect(res.body).toMatchObject({
      consent: 'granted',
      visitorId: expect.any(String),
      deviceId: expect.any(String),
    });
    expect(setCookie(res, n('consent'))!.attributes['max-age']).toBe('86400');
    const payload = relay(res)!;
    expect(payload.mode).toBe('LOCAL_DOMAIN_STORAGE');
    expect(payload.cookies.map((c) => c.name).sort()).toEqual(
      [n('anonymous-person'), n('consent'), n('device'), n('session')].sort(),
    );
    expect(payload.cookies.every((c) => c.domain === '.shop.com')).toBe(true);

    const back = await call('identify').set('x-unblu-cookie', echoFromRelay(payload)).expect(200);
    expect(back.body).toMatchObject({
      consent: 'granted',
      visitorId: res.body.visitorId,
      issued: [],
    });
  });

  it('revoke: deletes the gated cookies by Set-Cookie and relay, keeps the session', async () => {
    const granted = await call('consent').send({ granted: true }).expect(200);
    const revoked = await call('consent')
      .set('Cookie', cookieHeader(granted))
      .send({ granted: false })
      .expect(200);
    expect(revoked.body).toMatchObject({ consent: 'denied', visitorId: null, deviceId: null });
    expect(revoked.body.sessionId).toBe(granted.body.sessionId);
    for (const name of [n('device'), n('anonymous-person')]) {
      const deletion = setCookie(revoked, name)!;
      expect(deletion.value).toBe('');
      expect(deletion.attributes['max-age']).toBe('0');
      expect(relay(revoked)!.cookies.find((c) => c.name === name)).toMatchObject({
        value: '',
        expires: 0,
      });
    }
    // Afterwards, identify keeps them away.
    const after = await call('identify').set('Cookie', cookieHeader(granted, revoked)).expect(200);
    expect(after.body).toMatchObject({ consent: 'denied', visitorId: null });
    expect(setCookie(after, n('device'))).toBeUndefined();
  });

  it('a revocation also deletes copies known only from the echo header', async () => {
    const granted = await call('consent').send({ granted: true }).expect(200);
    const revoked = await call('consent')
      .set('x-unblu-cookie', echoFromRelay(relay(granted)))
      .send({ granted: false })
      .expect(200);
    expect(
      relay(revoked)!
        .cookies.filter((c) => c.expires === 0)
        .map((c) => c.name)
        .sort(),
    ).toEqual([n('anonymous-person'), n('device')].sort());
  });

  describe('Global Privacy Control', () => {
    it('Sec-GPC: 1 counts as denied: no identity cookies', async () => {
      const res = await call('identify').set('Sec-GPC', '1').expect(200);
      expect(res.body).toMatchObject({ consent: 'denied', visitorId: null });
      expect(setCookie(res, n('device'))).toBeUndefined();
    });

    it('an explicit grant wins over Sec-GPC', async () => {
      const granted = await call('consent').set('Sec-GPC', '1').send({ granted: true }).expect(200);
      expect(granted.body.consent).toBe('granted');
      const back = await call('identify')
        .set('Sec-GPC', '1')
        .set('Cookie', cookieHeader(granted))
        .expect(200);
      expect(back.body).toMatchObject({ consent: 'granted', visitorId: granted.body.visitorId });
    });
  });

  it.each([
    ['no body', undefined],
    ['granted missing', {}],
    ['granted not a boolean', { granted: 'yes' }],
    ['unknown field', { granted: true, extra: 1 }],
    ['an array', [true]],
  ])('refuses %s with 400 and sets nothing', async (_what, body) => {
    const req = call('consent');
    const res = await (body === undefined ? req : req.send(body)).expect(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'bad_request' });
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('refuses malformed JSON with 400', async () => {
    const res = await call('consent')
      .set('Content-Type', 'application/json')
      .send('{"granted":')
      .expect(400);
    expect(res.body).toMatchObject({ statusCode: 400 });
    expect(res.headers['set-cookie']).toBeUndefined();
  });
});

describe('consent not required, GPC not honoured', () => {
  const pantry = useApp({
    accounts: {
      free: [
        'account.apiKeys = free-key-0001',
        'consent.required = false',
        'consent.honorGlobalPrivacyControl = false',
      ].join('\n'),
    },
  });

  it('issues identity cookies at once and ignores Sec-GPC', async () => {
    const res = await pantry
      .http()
      .post('/unblu/v1/identify?x-unblu-apikey=free-key-0001')
      .set('Sec-GPC', '1')
      .expect(200);
    expect(res.body).toMatchObject({ consent: 'unset', visitorId: expect.any(String) });
  });

  it('still honours an explicit denial', async () => {
    const denied = await pantry
      .http()
      .post('/unblu/v1/consent?x-unblu-apikey=free-key-0001')
      .send({ granted: false })
      .expect(200);
    expect(denied.body).toMatchObject({ consent: 'denied', visitorId: null });
  });
});
