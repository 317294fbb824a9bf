import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { TEST_ADMIN_TOKEN, useApp } from './helpers/test-app';

const AUTH = `Bearer ${TEST_ADMIN_TOKEN}`;

describe('durability diagnosis', () => {
  const diagnose = (account: string, query: Record<string, string>) =>
    pantry
      .http()
      .get(`/admin/v1/accounts/${account}/diagnostics`)
      .query(query)
      .set('Authorization', AUTH);

  const pantry = useApp({
    accounts: {
      shop: 'account.apiKeys = shop-key-0001',
      relay: 'account.apiKeys = relay-key-001\nserver.cors.corsCookieMode = LOCAL_STORAGE',
      // Served through Pantry (document mode) and through the site's own proxy (edge mode).
      proxied: [
        'account.apiKeys = proxied-key01',
        'proxy.hosts = 127.0.0.2',
        'proxy.upstream = http://127.0.0.1:9',
        'keeper.cookies = ga',
      ].join('\n'),
      edge: [
        'account.apiKeys = edge-key-0001',
        'proxy.hosts = 127.0.0.3',
        'keeper.cookies = ga',
      ].join('\n'),
    },
  });

  it('same-origin (server defaults to the page origin): durable, 400 days', async () => {
    const res = await diagnose('shop', { page: 'http://127.0.0.1:8080/cart?x=1' }).expect(200);
    expect(res.body).toEqual({
      account: 'shop',
      page: 'http://127.0.0.1:8080/cart?x=1',
      server: 'http://127.0.0.1:8080',
      mode: 'same-origin',
      corsCookieMode: 'PRODUCT_DOMAIN',
      lifetimeDays: 400,
      verdict: 'durable',
      reasons: [{ code: 'durable', message: expect.any(String) }],
      addresses: { page: ['127.0.0.1'], server: ['127.0.0.1'] },
      keeper: {
        cookies: [],
        keeps: false,
        message: expect.stringMatching(/keeper\.cookies is empty/),
      },
    });
  });

  it.each([
    ['document', 'proxied', '127.0.0.2'],
    ['edge', 'edge', '127.0.0.3'],
  ])('%s mode: a page on the account’s proxy.hosts', async (mode, account, host) => {
    const res = await diagnose(account, { page: `http://${host}/` }).expect(200);
    expect(res.body).toMatchObject({
      mode,
      lifetimeDays: 400,
      verdict: 'durable',
      keeper: {
        keeps: true,
        message: expect.stringMatching(new RegExp(`\\(${mode} mode\\).*no keep\\.js needed`)),
      },
    });
    // Another page of the same account, not on its hosts, is a same-origin deployment.
    const other = await diagnose(account, { page: 'http://127.0.0.1/' }).expect(200);
    expect(other.body).toMatchObject({ mode: 'same-origin', keeper: { keeps: true } });
    expect(other.body.keeper.message).toMatch(/load keep\.js before the SDKs/);
  });

  it('IPv6 literals', async () => {
    const res = await diagnose('shop', { page: 'http://[::1]:8080/' }).expect(200);
    expect(res.body).toMatchObject({ verdict: 'durable', addresses: { page: ['::1'] } });
  });

  it('a server elsewhere: third-party, not kept', async () => {
    const res = await diagnose('shop', {
      page: 'http://203.0.113.10/',
      server: 'http://198.51.100.7:3000',
    }).expect(200);
    expect(res.body).toMatchObject({
      mode: 'cross-site',
      lifetimeDays: null,
      verdict: 'capped',
      reasons: [{ code: 'third_party' }],
    });
  });

  it("reads the account's own corsCookieMode (and an API override of it)", async () => {
    const relay = await diagnose('relay', { page: 'http://127.0.0.1:8080/' }).expect(200);
    expect(relay.body).toMatchObject({ lifetimeDays: 7, reasons: [{ code: 'script_storage' }] });
    await pantry
      .http()
      .put('/admin/v1/accounts/shop/properties/server.cors.corsCookieMode')
      .set('Authorization', AUTH)
      .send({ value: 'LOCAL_STORAGE' })
      .expect(200);
    const shop = await diagnose('shop', { page: 'http://127.0.0.1:8080/' }).expect(200);
    expect(shop.body.reasons[0].code).toBe('script_storage');
    await pantry
      .http()
      .delete('/admin/v1/accounts/shop/properties/server.cors.corsCookieMode')
      .set('Authorization', AUTH)
      .expect(204);
  });

  it.each([
    [{}, /page/],
    [{ page: 'javascript:alert(1)' }, /page must be an http\(s\) URL/],
    [{ page: 'ftp://shop.com/' }, /page must be/],
    [{ page: 'http://127.0.0.1/', server: 'not a url' }, /server must be/],
  ])('refuses %j with 400', async (query, message) => {
    const res = await diagnose('shop', query).expect(400);
    expect(res.body.message).toMatch(message);
  });

  it('404 for an unknown account, 401 without the token', async () => {
    await diagnose('nobody', { page: 'http://127.0.0.1/' }).expect(404);
    await pantry
      .http()
      .get('/admin/v1/accounts/shop/diagnostics?page=http://127.0.0.1/')
      .expect(401);
  });

  describe('npm run doctor (pantry doctor)', () => {
    const doctor = (...args: string[]) =>
      spawnSync(
        process.execPath,
        ['-r', 'ts-node/register/transpile-only', 'src/cli.ts', 'doctor', ...args],
        {
          cwd: join(__dirname, '..'),
          env: { PATH: process.env.PATH ?? '', PANTRY_CONFIG_DIR: pantry.ws.configDir },
          encoding: 'utf8',
        },
      );

    it('prints the verdict and exits 0 for durable', () => {
      const run = doctor('--account', 'shop', '--page', 'http://127.0.0.1:8080/');
      expect(run.stdout).toMatch(/DURABLE: identity cookies in Safari: 400 days/);
      expect(run.status).toBe(0);
    });

    it('exits 1 for capped, with what to change', () => {
      const run = doctor('--account', 'relay', '--page', 'http://127.0.0.1:8080/');
      expect(run.stdout).toMatch(/CAPPED: identity cookies in Safari: 7 days/);
      expect(run.stdout).toMatch(/script_storage: .*Serve Pantry under the site's own origin/);
      expect(run.status).toBe(1);
    });

    it('--json prints the admin route’s answer', () => {
      const run = doctor(
        '--account',
        'shop',
        '--page',
        'http://203.0.113.10/',
        '--server',
        'http://198.51.100.7/',
        '--json',
      );
      expect(JSON.parse(run.stdout)).toMatchObject({ verdict: 'capped', lifetimeDays: null });
      expect(run.status).toBe(1);
    });

    it('exits 3 on a usage error or an unknown account', () => {
      expect(doctor('--page', 'http://127.0.0.1/').status).toBe(3);
      const unknown = doctor('--account', 'nobody', '--page', 'http://127.0.0.1/');
      expect(unknown.stderr).toMatch(/No account "nobody"/);
      expect(unknown.status).toBe(3);
    });
  });
});
