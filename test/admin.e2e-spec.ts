import request from 'supertest';
import { VisitorRegistryService } from '../src/registry/visitor-registry.service';
import { cookieHeader } from './helpers/cookies';
import { createWorkspace, startApp, TEST_ADMIN_TOKEN, useApp } from './helpers/test-app';

const AUTH = `Bearer ${TEST_ADMIN_TOKEN}`;
const SHOP_FILE = [
  'account.name = Shop',
  'account.apiKeys = shop-key-0001',
  'consent.required = false',
].join('\n');

describe('admin API', () => {
  const api = () => pantry.http();
  const as = (t: request.Test) => t.set('Authorization', AUTH);
  const identify = (key: string, cookie = '') =>
    api().post(`/unblu/v1/identify?x-unblu-apikey=${key}`).set('Cookie', cookie);

  const pantry = useApp({ accounts: { shop: SHOP_FILE } });

  describe('authentication', () => {
    const routes: Array<[string, string]> = [
      ['get', '/admin/v1/accounts'],
      ['post', '/admin/v1/accounts'],
      ['get', '/admin/v1/accounts/shop'],
      ['patch', '/admin/v1/accounts/shop'],
      ['delete', '/admin/v1/accounts/shop'],
      ['get', '/admin/v1/accounts/shop/apikeys'],
      ['post', '/admin/v1/accounts/shop/apikeys'],
      ['delete', '/admin/v1/accounts/shop/apikeys/shop-key-0001'],
      ['get', '/admin/v1/accounts/shop/properties'],
      ['put', '/admin/v1/accounts/shop/properties/identifier.cookiePath'],
      ['delete', '/admin/v1/accounts/shop/properties/identifier.cookiePath'],
      ['post', '/admin/v1/config/reload'],
      ['get', '/admin/v1/accounts/shop/visitors/abc'],
      ['delete', '/admin/v1/accounts/shop/visitors/abc'],
      ['get', '/admin/v1/audit'],
    ];
    const call = (method: string, url: string) =>
      (api() as unknown as Record<string, (u: string) => request.Test>)[method](url);

    it.each(routes)('%s %s without a token: 401', async (method, url) => {
      const res = await call(method, url).expect(401);
      expect(res.body).toEqual({
        statusCode: 401,
        error: 'unauthorized',
        message: expect.any(String),
      });
    });

    const wrong = [
      `Bearer ${TEST_ADMIN_TOKEN}x`,
      TEST_ADMIN_TOKEN,
      `Basic ${TEST_ADMIN_TOKEN}`,
      'Bearer ',
    ];
    it.each(routes.map(([m, u], i) => [m, u, wrong[i % wrong.length]]))(
      '%s %s with a wrong token (%s): 401',
      async (method, url, authorization) => {
        await call(method, url).set('Authorization', authorization).expect(401);
      },
    );

    it('accepts the right token', async () => {
      await as(api().get('/admin/v1/accounts')).expect(200);
    });
  });

  describe('accounts', () => {
    it('deleting an API account forgets its erasures, queued sightings and overrides, and a new account of that id starts clean', async () => {
      const registry = pantry.app.get(VisitorRegistryService);
      const created = await as(api().post('/admin/v1/accounts')).send({ id: 'doomed' }).expect(201);
      const key = created.body.apiKeys[0].key as string;
      await as(api().put('/admin/v1/accounts/doomed/properties/consent.required'))
        .send({ value: 'false' })
        .expect(200);
      const visitor = (await identify(key).expect(200)).body.visitorId as string;
      await as(api().delete(`/admin/v1/accounts/doomed/visitors/${visitor}`)).expect(204);
      expect(registry.isErased('doomed', visitor)).toBe(true);
      await identify(key).expect(200); // a sighting queued for the account
      await as(api().delete('/admin/v1/accounts/doomed')).expect(204);
      expect(registry.isErased('doomed', visitor)).toBe(false);
      await registry.flush();
      const again = await as(api().post('/admin/v1/accounts')).send({ id: 'doomed' }).expect(201);
      const props = await as(api().get('/admin/v1/accounts/doomed/properties')).expect(200);
      expect(props.body.find((p: { key: string }) => p.key === 'consent.required')).toMatchObject({
        value: 'true',
        source: 'default',
      });
      await as(api().get(`/admin/v1/accounts/doomed/visitors/${visitor}`)).expect(404);
      await as(api().delete('/admin/v1/accounts/doomed')).expect(204);
      expect(again.body.apiKeys[0].key).not.toBe(key);
    });

    it('lists file accounts with their file and keys', async () => {
      const res = await as(api().get('/admin/v1/accounts')).expect(200);
      expect(res.body).toContainEqual({
        id: 'shop',
        name: 'Shop',
        source: 'file',
        file: `${pantry.ws.configDir}/accounts/shop.properties`,
        apiKeys: [{ key: 'shop-key-0001', source: 'file', createdAt: null }],
      });
    });

    it('creates an account with a first API key that works on the visitor API at once', async () => {
      const res = await as(api().post('/admin/v1/accounts'))
        .send({ id: 'acme', name: 'Acme' })
        .expect(201);
      expect(res.body).toMatchObject({ id: 'acme', name: 'Acme', source: 'api' });
      const key = res.body.apiKeys[0].key as string;
      expect(key).toMatch(/^[A-Za-z0-9_-]{22}$/);
      const visit = await identify(key).expect(200);
      expect(visit.body.account).toBe('acme');
      await as(api().get('/admin/v1/accounts/acme')).expect(200);
    });

    it.each([
      ['an invalid id', { id: 'Bad_Id' }],
      ['an id too long', { id: 'a'.repeat(64) }],
      ['no id', { name: 'x' }],
      ['an unknown field', { id: 'fresh', colour: 'red' }],
      ['a non-string name', { id: 'fresh', name: 42 }],
    ])('refuses %s with 400', async (_what, body) => {
      const res = await as(api().post('/admin/v1/accounts')).send(body).expect(400);
      expect(res.body).toMatchObject({
        statusCode: 400,
        error: 'bad_request',
        message: expect.any(String),
      });
    });

    it('refuses duplicates with 409, naming the file for file accounts', async () => {
      const res = await as(api().post('/admin/v1/accounts')).send({ id: 'shop' }).expect(409);
      expect(res.body.message).toContain('shop.properties');
      await as(api().post('/admin/v1/accounts')).send({ id: 'dup' }).expect(201);
      await as(api().post('/admin/v1/accounts')).send({ id: 'dup' }).expect(409);
    });

    it('renames API accounts; file accounts answer 409', async () => {
      await as(api().post('/admin/v1/accounts')).send({ id: 'renamed' }).expect(201);
      const res = await as(api().patch('/admin/v1/accounts/renamed'))
        .send({ name: 'New name' })
        .expect(200);
      expect(res.body.name).toBe('New name');
      await as(api().patch('/admin/v1/accounts/shop')).send({ name: 'x' }).expect(409);
      await as(api().patch('/admin/v1/accounts/renamed')).send({ name: 'x', id: 'y' }).expect(400);
    });

    it('deletes API accounts (their keys stop at once); file accounts answer 409 naming the file', async () => {
      const created = await as(api().post('/admin/v1/accounts')).send({ id: 'gone' }).expect(201);
      await as(api().delete('/admin/v1/accounts/gone')).expect(204);
      await as(api().get('/admin/v1/accounts/gone')).expect(404);
      await identify(created.body.apiKeys[0].key).expect(401);
      const res = await as(api().delete('/admin/v1/accounts/shop')).expect(409);
      expect(res.body).toMatchObject({
        error: 'account_defined_by_file',
        message: expect.stringContaining('shop.properties'),
      });
    });

    it('answers 404 for unknown accounts and 400 for invalid ids', async () => {
      for (const t of [
        api().get('/admin/v1/accounts/nobody'),
        api().delete('/admin/v1/accounts/nobody'),
        api().get('/admin/v1/accounts/nobody/apikeys'),
        api().get('/admin/v1/accounts/nobody/properties'),
        api().get('/admin/v1/accounts/nobody/visitors/abc'),
      ]) {
        await as(t).expect(404);
      }
      const res = await as(api().get('/admin/v1/accounts/NOT_VALID')).expect(400);
      expect(res.body.error).toBe('invalid_account_id');
    });
  });

  describe('API keys', () => {
    it('creates a key that works at once and revokes it so it stops at once', async () => {
      const created = await as(api().post('/admin/v1/accounts/shop/apikeys')).expect(201);
      const key = created.body.key as string;
      expect(created.body).toMatchObject({ source: 'api', createdAt: expect.any(String) });
      expect((await identify(key).expect(200)).body.account).toBe('shop');
      const list = await as(api().get('/admin/v1/accounts/shop/apikeys')).expect(200);
      expect(list.body.map((k: { key: string }) => k.key)).toEqual(['shop-key-0001', key]);
      await as(api().delete(`/admin/v1/accounts/shop/apikeys/${key}`)).expect(204);
      await identify(key).expect(401);
      await as(api().delete(`/admin/v1/accounts/shop/apikeys/${key}`)).expect(404);
    });

    it('refuses to revoke a key listed in the file (409 naming it) and answers 400 for a malformed key', async () => {
      const res = await as(api().delete('/admin/v1/accounts/shop/apikeys/shop-key-0001')).expect(
        409,
      );
      expect(res.body.message).toContain('shop.properties');
      await as(api().delete('/admin/v1/accounts/shop/apikeys/bad!key')).expect(400);
    });

    it("isolates accounts: another account's key cannot be listed or revoked through this one", async () => {
      await as(api().post('/admin/v1/accounts')).send({ id: 'other' }).expect(201);
      const created = await as(api().post('/admin/v1/accounts/shop/apikeys')).expect(201);
      await as(api().delete(`/admin/v1/accounts/other/apikeys/${created.body.key}`)).expect(404);
      await as(api().delete('/admin/v1/accounts/other/apikeys/shop-key-0001')).expect(404);
      const otherKeys = await as(api().get('/admin/v1/accounts/other/apikeys')).expect(200);
      expect(otherKeys.body.map((k: { key: string }) => k.key)).not.toContain(created.body.key);
      await identify(created.body.key).expect(200);
    });
  });

  describe('properties', () => {
    it('lists every catalog key with value, source and scope, and flags the 400-day cap', async () => {
      const res = await as(api().get('/admin/v1/accounts/shop/properties')).expect(200);
      const byKey = new Map(res.body.map((p: { key: string }) => [p.key, p]));
      expect(byKey.get('consent.required')).toEqual({
        key: 'consent.required',
        value: 'false',
        source: 'file',
        scope: 'ACCOUNT',
      });
      expect(byKey.get('identifier.cookiePath')).toEqual({
        key: 'identifier.cookiePath',
        value: '/',
        source: 'default',
        scope: 'ACCOUNT',
      });
      expect(byKey.get('database.url')).toMatchObject({ source: 'global', scope: 'IMMUTABLE' });
      expect(byKey.get('identifier.signingSecrets')).toMatchObject({ value: '(generated)' });
      // The tests set PANTRY_ADMIN_TOKEN: the view says so rather than "(generated)".
      expect(byKey.get('admin.token')).toMatchObject({ value: '(redacted: PANTRY_ADMIN_TOKEN)' });
      expect(byKey.get('identifier.deviceCookieMaxAge')).toMatchObject({
        value: '2147483647',
        effectiveValue: '34560000',
        note: expect.stringContaining('400 days'),
      });
    });

    it('sets an override that applies to the next request, with source api', async () => {
      const before = await identify('shop-key-0001').expect(200);
      expect(before.headers['set-cookie']?.[0]).toContain('SameSite=Lax');
      const res = await as(
        api().put('/admin/v1/accounts/shop/properties/identifier.cookieSameSite'),
      )
        .send({ value: 'Strict' })
        .expect(200);
      expect(res.body).toEqual({
        key: 'identifier.cookieSameSite',
        value: 'Strict',
        source: 'api',
        scope: 'ACCOUNT',
      });
      const after = await identify('shop-key-0001').expect(200);
      expect(after.headers['set-cookie']?.[0]).toContain('SameSite=Strict');
      await as(api().delete('/admin/v1/accounts/shop/properties/identifier.cookieSameSite')).expect(
        204,
      );
      const back = await identify('shop-key-0001').expect(200);
      expect(back.headers['set-cookie']?.[0]).toContain('SameSite=Lax');
    });

    it('accepts the com.unblu. alias and any case in the key', async () => {
      const res = await as(
        api().put('/admin/v1/accounts/shop/properties/com.unblu.IDENTIFIER.COOKIEPATH'),
      )
        .send({ value: '/shop' })
        .expect(200);
      expect(res.body.key).toBe('identifier.cookiePath');
      await as(api().delete('/admin/v1/accounts/shop/properties/identifier.cookiepath')).expect(
        204,
      );
    });

    it.each([
      [
        'identifier.cookieSameSite',
        'Laxx',
        'invalid_property',
        'identifier.cookieSameSite: must be one of Lax, Strict, None, AUTO (got "Laxx")',
      ],
      [
        'server.cors.corsCookieMode',
        'COOKIES',
        'invalid_property',
        'server.cors.corsCookieMode: must be one of PRODUCT_DOMAIN, LOCAL_STORAGE, LOCAL_DOMAIN_STORAGE (got "COOKIES")',
      ],
      [
        'identifier.deviceCookieMaxAge',
        '-5',
        'invalid_property',
        'identifier.deviceCookieMaxAge: must be between 0 and 2147483647 (got "-5")',
      ],
      [
        'identifier.cookieDomain',
        '.co.uk',
        'invalid_property',
        expect.stringContaining('public suffix'),
      ],
      [
        'identifier.cookieDomian',
        'AUTO',
        'unknown_property',
        'identifier.cookieDomian: unknown property (did you mean "identifier.cookieDomain"?)',
      ],
      ['server.multiAccount', 'false', 'property_scope', expect.stringContaining('IMMUTABLE')],
      [
        'identifier.accountScopedCookies',
        'session',
        'property_scope',
        expect.stringContaining('GLOBAL'),
      ],
      [
        'account.name',
        'New',
        'property_scope',
        expect.stringContaining('account and API-key routes'),
      ],
    ])('refuses %s=%s with 400 %s', async (key, value, error, message) => {
      const res = await as(api().put(`/admin/v1/accounts/shop/properties/${key}`))
        .send({ value })
        .expect(400);
      expect(res.body).toEqual({ statusCode: 400, error, message });
    });

    it('refuses contradictions against the effective values', async () => {
      await as(api().put('/admin/v1/accounts/shop/properties/identifier.cookieSecureFlag'))
        .send({ value: 'false' })
        .expect(200);
      const res = await as(
        api().put('/admin/v1/accounts/shop/properties/identifier.cookieSameSite'),
      )
        .send({ value: 'None' })
        .expect(400);
      expect(res.body.message).toContain('SameSite=None requires identifier.cookieSecureFlag=true');
      await as(
        api().delete('/admin/v1/accounts/shop/properties/identifier.cookieSecureFlag'),
      ).expect(204);
    });

    it('refuses bodies that are not {"value": string}', async () => {
      const url = '/admin/v1/accounts/shop/properties/identifier.cookiePath';
      await as(api().put(url)).send({}).expect(400);
      await as(api().put(url)).send({ value: 5 }).expect(400);
      await as(api().put(url)).send({ value: '/', extra: true }).expect(400);
    });

    it('answers 404 when removing an override that does not exist', async () => {
      const res = await as(
        api().delete('/admin/v1/accounts/shop/properties/identifier.cookiePath'),
      ).expect(404);
      expect(res.body.error).toBe('override_not_found');
    });

    it('keeps overrides per account', async () => {
      await as(api().post('/admin/v1/accounts')).send({ id: 'iso' }).expect(201);
      await as(api().put('/admin/v1/accounts/iso/properties/identifier.cookiePath'))
        .send({ value: '/iso' })
        .expect(200);
      const shop = await as(api().get('/admin/v1/accounts/shop/properties')).expect(200);
      expect(shop.body.find((p: { key: string }) => p.key === 'identifier.cookiePath').value).toBe(
        '/',
      );
      await as(api().delete('/admin/v1/accounts/shop/properties/identifier.cookiePath')).expect(
        404,
      );
    });
  });

  describe('visitors', () => {
    it('reads a record and erases it; the erased cookies are refused on identify', async () => {
      const first = await identify('shop-key-0001').expect(200);
      const visitorId = first.body.visitorId as string;
      const record = await as(api().get(`/admin/v1/accounts/shop/visitors/${visitorId}`)).expect(
        200,
      );
      expect(record.body).toEqual({
        accountId: 'shop',
        visitorId,
        deviceId: first.body.deviceId,
        consent: 'unset',
        consentSource: null,
        consentPurposes: [],
        consentAt: null,
        firstSeen: expect.any(String),
        lastSeen: expect.any(String),
        customerId: null,
        bridges: [],
        links: [],
        keptCookies: [],
      });
      await as(api().delete(`/admin/v1/accounts/shop/visitors/${visitorId}`)).expect(204);
      await as(api().get(`/admin/v1/accounts/shop/visitors/${visitorId}`)).expect(404);
      const again = await identify('shop-key-0001', cookieHeader(first)).expect(200);
      expect(again.body.visitorId).not.toBe(visitorId);
      expect(again.body.deviceId).not.toBe(first.body.deviceId);
    });

    it("isolates accounts: another account's visitor is 404 for reading and erasure", async () => {
      const first = await identify('shop-key-0001').expect(200);
      await as(api().post('/admin/v1/accounts')).send({ id: 'nosy' }).expect(201);
      await as(api().get(`/admin/v1/accounts/nosy/visitors/${first.body.visitorId}`)).expect(404);
      await as(api().delete(`/admin/v1/accounts/nosy/visitors/${first.body.visitorId}`)).expect(
        404,
      );
      const still = await identify('shop-key-0001', cookieHeader(first)).expect(200);
      expect(still.body.visitorId).toBe(first.body.visitorId);
    });

    it('answers 400 for a malformed visitor id', async () => {
      await as(api().get('/admin/v1/accounts/shop/visitors/bad%20id')).expect(400);
    });
  });

  describe('reload', () => {
    it('answers 400 with every problem while the last good configuration stays, then 200 when fixed', async () => {
      pantry.ws.write(
        'accounts/shop.properties',
        `${SHOP_FILE}\nidentifier.cookieSameSite = Laxx\nbogus.key = 1`,
      );
      const bad = await as(api().post('/admin/v1/config/reload')).expect(400);
      const file = `${pantry.ws.configDir}/accounts/shop.properties`;
      expect(bad.body).toEqual({
        statusCode: 400,
        error: 'invalid_configuration',
        message: expect.stringContaining('2 problem'),
        problems: [
          `${file}:4: identifier.cookieSameSite: must be one of Lax, Strict, None, AUTO (got "Laxx")`,
          `${file}:5: bogus.key: unknown property`,
        ],
      });
      await identify('shop-key-0001').expect(200);
      pantry.ws.write(
        'accounts/shop.properties',
        `${SHOP_FILE}\nidentifier.cookieSameSite = Strict`,
      );
      const good = await as(api().post('/admin/v1/config/reload')).expect(200);
      expect(good.body).toMatchObject({
        status: 'ok',
        accounts: 1,
        added: [],
        removed: [],
        restartRequired: [],
      });
      const visit = await identify('shop-key-0001').expect(200);
      expect(visit.headers['set-cookie']?.[0]).toContain('SameSite=Strict');
    });
  });

  describe('audit log', () => {
    it('lists admin changes newest first, per account, without secrets', async () => {
      const res = await as(api().get('/admin/v1/audit?limit=500')).expect(200);
      const actions = res.body.map((e: { action: string }) => e.action);
      expect(actions).toEqual(
        expect.arrayContaining([
          'account.create',
          'apikey.create',
          'apikey.revoke',
          'property.set',
          'property.remove',
          'visitor.erase',
          'config.reload',
          'account.delete',
        ]),
      );
      expect(res.body[0].id).toBeGreaterThan(res.body[res.body.length - 1].id);
      expect(res.body[0]).toMatchObject({
        actor: expect.stringMatching(/^admin@/),
        at: expect.any(String),
      });
      expect(JSON.stringify(res.body)).not.toContain(TEST_ADMIN_TOKEN);
      const shop = await as(api().get('/admin/v1/audit?accountId=shop')).expect(200);
      expect(shop.body.every((e: { accountId: string }) => e.accountId === 'shop')).toBe(true);
      await as(api().get('/admin/v1/audit?limit=0')).expect(400);
      await as(api().get('/admin/v1/audit?limit=abc')).expect(400);
    });

    it('records the canonical key whatever spelling set or removed it', async () => {
      await as(api().put('/admin/v1/accounts/shop/properties/com.unblu.IDENTIFIER.cookiePath'))
        .send({ value: '/spelled' })
        .expect(200);
      await as(
        api().delete('/admin/v1/accounts/shop/properties/COM.UNBLU.identifier.COOKIEPATH'),
      ).expect(204);
      const res = await as(api().get('/admin/v1/audit?accountId=shop&limit=2')).expect(200);
      expect(res.body.map((e: { action: string; target: string }) => [e.action, e.target])).toEqual(
        [
          ['property.remove', 'identifier.cookiePath'],
          ['property.set', 'identifier.cookiePath'],
        ],
      );
    });
  });

  describe('OpenAPI', () => {
    it('documents every admin route at /admin/docs', async () => {
      await api().get('/admin/docs').expect(200);
      const doc = await api().get('/admin/docs-json').expect(200);
      expect(Object.keys(doc.body.paths).sort()).toEqual([
        '/admin/v1/accounts',
        '/admin/v1/accounts/{id}',
        '/admin/v1/accounts/{id}/apikeys',
        '/admin/v1/accounts/{id}/apikeys/{key}',
        '/admin/v1/accounts/{id}/audit',
        '/admin/v1/accounts/{id}/credentials',
        '/admin/v1/accounts/{id}/credentials/{credentialId}',
        '/admin/v1/accounts/{id}/customers/{customerId}',
        '/admin/v1/accounts/{id}/diagnostics',
        '/admin/v1/accounts/{id}/properties',
        '/admin/v1/accounts/{id}/properties/{key}',
        '/admin/v1/accounts/{id}/visitors/{visitorId}',
        '/admin/v1/audit',
        '/admin/v1/config/reload',
        '/admin/v1/session',
        '/admin/v1/status',
      ]);
      const paths = doc.body.paths as Record<
        string,
        Record<string, { summary?: string; 'x-pantry-roles'?: unknown }>
      >;
      for (const ops of Object.values(paths)) {
        for (const op of Object.values(ops)) {
          expect(op.summary).toEqual(expect.any(String));
          // Every route names the roles of account credentials that may call it (SPEC §19).
          expect(op['x-pantry-roles']).toEqual(expect.any(Array));
        }
      }
      expect(
        paths['/admin/v1/accounts/{id}/visitors/{visitorId}'].delete['x-pantry-roles'],
      ).toEqual(['owner', 'privacy']);
      expect(Object.keys(doc.body.components.schemas)).toEqual(
        expect.arrayContaining([
          'AccountDto',
          'CreateAccountDto',
          'PropertyDto',
          'SetPropertyDto',
          'VisitorDto',
          'ErrorDto',
        ]),
      );
    });
  });

  describe('rate limiting', () => {
    it('throttles repeated failures with 429, never the right token', async () => {
      // Earlier tests used up some of this client's failures; keep failing until blocked.
      const wrong = () =>
        api().get('/admin/v1/accounts').set('Authorization', 'Bearer wrong-token-value');
      let status = 401;
      for (let i = 0; i < 40 && status === 401; i++) status = (await wrong()).status;
      const res = await wrong().expect(429);
      expect(res.body.error).toBe('too_many_requests');
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      // The admin holding the token is not locked out by someone guessing from the same address.
      await as(api().get('/admin/v1/accounts')).expect(200);
      await as(api().post('/admin/v1/accounts')).send({ id: 'after-lockout' }).expect(201);
      await wrong().expect(429);
    });
  });
});

describe('admin API across restarts', () => {
  it('keeps API accounts, keys and overrides', async () => {
    const ws = createWorkspace({ accounts: { shop: SHOP_FILE } });
    let app = await startApp(ws);
    const as = (t: request.Test) => t.set('Authorization', AUTH);
    const created = await as(request(app.getHttpServer()).post('/admin/v1/accounts'))
      .send({ id: 'kept' })
      .expect(201);
    await as(
      request(app.getHttpServer()).put('/admin/v1/accounts/kept/properties/identifier.cookiePath'),
    )
      .send({ value: '/kept' })
      .expect(200);
    await app.close();

    app = await startApp(ws);
    const account = await as(request(app.getHttpServer()).get('/admin/v1/accounts/kept')).expect(
      200,
    );
    expect(account.body.apiKeys).toEqual(created.body.apiKeys);
    const props = await as(
      request(app.getHttpServer()).get('/admin/v1/accounts/kept/properties'),
    ).expect(200);
    expect(
      props.body.find((p: { key: string }) => p.key === 'identifier.cookiePath'),
    ).toMatchObject({ value: '/kept', source: 'api' });
    const visit = await request(app.getHttpServer())
      .post(`/unblu/v1/identify?x-unblu-apikey=${created.body.apiKeys[0].key}`)
      .expect(200);
    expect(visit.headers['set-cookie']?.[0]).toContain('Path=/kept');
    await app.close();
    ws.remove();
  });
});
