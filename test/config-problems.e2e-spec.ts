import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { pgCtl, postgresBin, stopCluster } from './helpers/postgres';
import { startServerProcess } from './helpers/server-process';
import { ConfigurationService } from '../src/properties/configuration.service';
import type { TestWorkspace } from './helpers/test-app';
import { createWorkspace, eventually, startApp, TEST_ADMIN_TOKEN } from './helpers/test-app';

jest.setTimeout(120_000);

const STACK_FRAME = /\n\s+at /;

describe('configuration problems that say what is wrong', () => {
  describe('an API key used by two accounts (files and API alike)', () => {
    let ws: TestWorkspace;
    let app: NestFastifyApplication;
    const api = () => request(app.getHttpServer());
    const admin = (t: request.Test) => t.set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`);
    const identifyAs = async (key: string) => {
      const res = await api()
        .post(`/unblu/v1/identify?x-unblu-apikey=${key}`)
        .set('Host', 'x.test');
      return { status: res.status, account: (res.body as { account?: string }).account };
    };
    const thief = () => `${join(ws.configDir, 'accounts', 'thief.properties')}`;
    const conflictLine = () =>
      `${thief()}:2: account.apiKeys: API key "shared-key-0001" is already used by account "api-shop" (created through the admin API); API keys must be unique across accounts: give this account its own key, or revoke it there first`;

    beforeAll(async () => {
      ws = createWorkspace({
        accounts: {
          shop: ['account.apiKeys = shop-key-0001', 'consent.required = false'].join('\n'),
        },
      });
      app = await startApp(ws);
      await admin(api().post('/admin/v1/accounts'))
        .send({ id: 'api-shop', apiKey: 'shared-key-0001' })
        .expect(201);
    });

    afterAll(async () => {
      await app?.close();
      ws.remove();
    });

    it('the admin API answers 409 api_key_taken for a key any account has, file or API', async () => {
      const taken = async (call: request.Test, owner: RegExp) => {
        const res = await admin(call).expect(409);
        expect(res.body).toMatchObject({ error: 'api_key_taken' });
        expect(res.body.message).toMatch(owner);
      };
      // A new account with an API account's key, or a file account's.
      await taken(
        api().post('/admin/v1/accounts').send({ id: 'copycat', apiKey: 'shared-key-0001' }),
        /already used by account "api-shop"; API keys must be unique/,
      );
      await taken(
        api().post('/admin/v1/accounts').send({ id: 'copycat', apiKey: 'shop-key-0001' }),
        /already used by account "shop" \(.*shop\.properties\)/,
      );
      // Nothing of the refused account was committed.
      await admin(api().get('/admin/v1/accounts/copycat')).expect(404);
      // A key added to a file account that an API account has, and the other way round.
      await taken(
        api().post('/admin/v1/accounts/shop/apikeys').send({ key: 'shared-key-0001' }),
        /account "api-shop"/,
      );
      await taken(
        api().post('/admin/v1/accounts/api-shop/apikeys').send({ key: 'shop-key-0001' }),
        /account "shop"/,
      );
      // A key given explicitly, free, works at once.
      const added = await admin(api().post('/admin/v1/accounts/api-shop/apikeys'))
        .send({ key: 'api-shop-key-0002' })
        .expect(201);
      expect(added.body).toMatchObject({ key: 'api-shop-key-0002', source: 'api' });
      expect(await identifyAs('api-shop-key-0002')).toEqual({ status: 200, account: 'api-shop' });
      expect(await identifyAs('shared-key-0001')).toEqual({ status: 200, account: 'api-shop' });
    });

    it('two accounts created at once with one key: the database lets exactly one have it', async () => {
      const results = await Promise.all(
        ['race-a', 'race-b', 'race-c'].map((id) =>
          admin(api().post('/admin/v1/accounts')).send({ id, apiKey: 'race-key-0001' }),
        ),
      );
      expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
      const winner = (results.find((r) => r.status === 201)!.body as { id: string }).id;
      for (const r of results.filter((x) => x.status === 409)) {
        expect(r.body.error).toBe('api_key_taken');
      }
      // The losers' accounts were rolled back with their key: nothing half-created.
      const ids = ['race-a', 'race-b', 'race-c'].filter((id) => id !== winner);
      for (const id of ids) await admin(api().get(`/admin/v1/accounts/${id}`)).expect(404);
      expect(await identifyAs('race-key-0001')).toEqual({ status: 200, account: winner });
    });

    it('a reload whose file account reuses an API account key keeps the last good configuration', async () => {
      ws.write('accounts/thief.properties', '# takes a key\naccount.apiKeys = shared-key-0001\n');
      const res = await admin(api().post('/admin/v1/config/reload')).expect(400);
      expect(res.body.error).toBe('invalid_configuration');
      expect(res.body.problems).toEqual([conflictLine()]);
      // The API account keeps its traffic; the file account never came in.
      expect(await identifyAs('shared-key-0001')).toEqual({ status: 200, account: 'api-shop' });
      await admin(api().get('/admin/v1/accounts/thief')).expect(404);
      await admin(api().get('/admin/v1/accounts/api-shop')).expect(200);
    });

    it('a start whose file account reuses an API account key exits 1 with the problem line', async () => {
      await app.close();
      app = undefined as unknown as NestFastifyApplication;
      const server = startServerProcess({
        PANTRY_CONFIG_DIR: ws.configDir,
        PANTRY_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      });
      expect(await server.exited).toBe(1);
      const output = server.output();
      expect(output.split('\n')).toContain(conflictLine());
      expect(output).not.toMatch(STACK_FRAME);
      expect(output).not.toMatch(/listening on/);
    });
  });

  it('two nodes: a file edit on one refuses a key the other just gave an API account', async () => {
    const ws = createWorkspace({ accounts: { shop: 'account.apiKeys = shop-key-0001' } });
    const nodes = [await startApp(ws), await startApp(ws)];
    try {
      const on = (i: number) => request(nodes[i].getHttpServer());
      await on(0)
        .post('/admin/v1/accounts')
        .set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`)
        .send({ id: 'api-shop', apiKey: 'fresh-key-0001' })
        .expect(201);
      // At once, before node 1's backstop re-read: its file watcher re-reads the keys first.
      const reloads: string[] = [];
      const service = nodes[1].get(ConfigurationService);
      const original = service.reload.bind(service);
      jest.spyOn(service, 'reload').mockImplementation(() => {
        const result = original();
        reloads.push(result.ok ? 'ok' : result.problems.join('\n'));
        return result;
      });
      ws.write('accounts/thief.properties', 'account.apiKeys = fresh-key-0001\n');
      await eventually(() => expect(reloads.length).toBeGreaterThan(0));
      expect(reloads[0]).toMatch(
        /thief\.properties:1: account\.apiKeys: API key "fresh-key-0001" is already used by account "api-shop"/,
      );
      const res = await on(1).post('/unblu/v1/identify?x-unblu-apikey=fresh-key-0001').expect(200);
      expect(res.body.account).toBe('api-shop');
    } finally {
      jest.restoreAllMocks();
      for (const node of nodes) await node.close();
      ws.remove();
    }
  });

  it('a start with trailing comments and origins with paths names each, one per line', async () => {
    const ws = createWorkspace({
      app: [
        'server.maxConnectionsPerAddress = 0     # every connection comes from the proxy',
        'server.trustProxy = true',
      ].join('\n'),
      accounts: {
        shop: [
          'account.apiKeys = shop-key-0001',
          'server.cors.allowedOrigins = https://www.shop.com/, https://www.shop.com/checkout',
          'consent.required = false ! for now',
        ].join('\n'),
      },
    });
    try {
      const server = startServerProcess({ PANTRY_CONFIG_DIR: ws.configDir });
      expect(await server.exited).toBe(1);
      const lines = server.output().trim().split('\n');
      const shop = join(ws.configDir, 'accounts', 'shop.properties');
      expect(lines).toEqual([
        'Pantry cannot start: the configuration has 3 problem(s):',
        `${join(ws.configDir, 'application.properties')}:1: server.maxConnectionsPerAddress: "# every connection come…" is not a comment: .properties values run to the end of the line, so the value read is "0     # every connection comes from the proxy"; put the comment on its own line and write "0" alone after the =`,
        `${shop}:2: server.cors.allowedOrigins: "https://www.shop.com/checkout" is not an origin: it has a path, which a browser's Origin never carries, so it would never match; write only scheme://host[:port], e.g. "https://www.shop.com"`,
        `${shop}:3: consent.required: "! for now" is not a comment: .properties values run to the end of the line, so the value read is "false ! for now"; put the comment on its own line and write "false" alone after the =`,
      ]);
    } finally {
      ws.remove();
    }
  });
});

/**
 * A PostgreSQL cluster of its own with password (SCRAM) authentication and no TLS: the shared
 * test cluster trusts every login, so it could not refuse one.
 */
async function startPasswordCluster(password: string) {
  const bin = postgresBin();
  if (!bin) throw new Error('PostgreSQL is not installed: apt-get install postgresql');
  const dir = mkdtempSync(join(tmpdir(), 'pantry-pg-auth-'));
  chmodSync(dir, 0o777);
  const pwfile = join(dir, 'pw');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o644 });
  const initdb = [
    join(bin, 'initdb'),
    '-A',
    'scram-sha-256',
    `--pwfile=${pwfile}`,
    '-U',
    'postgres',
    '-D',
    join(dir, 'data'),
    '-E',
    'UTF8',
  ];
  // PostgreSQL refuses to run as root: as the postgres user then, as test/helpers/postgres does.
  const result =
    process.getuid?.() === 0
      ? spawnSync('runuser', ['-u', 'postgres', '--', ...initdb], { encoding: 'utf8' })
      : spawnSync(initdb[0], initdb.slice(1), { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`initdb failed: ${result.stderr}`);
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  pgCtl(dir, 'start', port);
  return { dir, port };
}

// Its own cluster and real processes: once, in the SQLite project (the PostgreSQL project runs
// every suite again on the shared cluster, which cannot refuse a login; it does not list these).
// Under CI a missing PostgreSQL fails here rather than skipping.
const describeDatabase =
  process.env.PANTRY_TEST_DB === 'postgres'
    ? () => undefined
    : postgresBin() !== null || process.env.CI === 'true'
      ? describe
      : describe.skip;

describeDatabase('a database that refuses the connection', () => {
  const PASSWORD = 'the-right-password-0001';
  let cluster: { dir: string; port: number };
  const workspaces: TestWorkspace[] = [];

  beforeAll(async () => {
    cluster = await startPasswordCluster(PASSWORD);
  });
  afterAll(() => {
    workspaces.forEach((ws) => ws.remove());
    if (cluster) stopCluster(cluster);
  });

  const start = (url: string) => {
    const ws = createWorkspace({
      app: `database.url = ${url}`,
      accounts: { shop: 'account.apiKeys = shop-key-0001' },
    });
    workspaces.push(ws);
    return startServerProcess({
      PANTRY_CONFIG_DIR: ws.configDir,
      PANTRY_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    });
  };
  const target = (db = 'postgres') => `postgres@127.0.0.1:${cluster.port}/${db}`;

  it.each<[string, (port: number) => string, string]>([
    [
      'a wrong password',
      (port) => `postgres://postgres:wrong-password@127.0.0.1:${port}/postgres`,
      `cannot use the database ${'TARGET'}: the server refused the login (password authentication failed for user "postgres"): check the user and password in database.url, and pg_hba.conf`,
    ],
    [
      'no such database',
      (port) => `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/pantri`,
      `cannot use the database ${'TARGET:pantri'}: database "pantri" does not exist: create it (createdb) or fix the database name in database.url`,
    ],
    [
      'sslmode=require against a server without TLS',
      (port) => `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres?sslmode=require`,
      `cannot use the database ${'TARGET'}: the server does not support TLS (SSL) connections, but database.url asks for one (sslmode): enable ssl on the server, or remove sslmode from database.url where the network is trusted`,
    ],
  ])('%s: the start stops with one line naming the cause', async (_what, url, expected) => {
    const line = expected.replace('TARGET:pantri', target('pantri')).replace('TARGET', target());
    const server = start(url(cluster.port));
    expect(await server.exited).toBe(1);
    const output = server.output();
    expect(output.split('\n').filter((l) => l.includes('cannot use the database'))).toEqual([
      `Pantry failed to start: ${line}`,
    ]);
    expect(output).not.toMatch(STACK_FRAME);
    expect(output).not.toMatch(/Retrying|attempt \d/);
    expect(output).not.toContain(PASSWORD);
  });

  it('an unreachable one is retried, one line per attempt, and the start goes on once it answers', async () => {
    pgCtl(cluster.dir, 'stop', cluster.port);
    const server = start(`postgres://postgres:${PASSWORD}@127.0.0.1:${cluster.port}/postgres`);
    try {
      const attempt = (n: number) =>
        `database ${target()} unreachable (ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:${cluster.port}); attempt ${n} of 10, trying again in 3 s`;
      const deadline = Date.now() + 20_000;
      while (!server.output().includes(attempt(2)) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const lines = server
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { level: string; context?: string; msg: string });
      expect(lines.filter((l) => l.context === 'Database').map((l) => [l.level, l.msg])).toEqual([
        ['warn', attempt(1)],
        ['warn', attempt(2)],
      ]);
      expect(server.output()).not.toMatch(STACK_FRAME);
      pgCtl(cluster.dir, 'start', cluster.port);
      await server.listening;
      expect(server.output()).not.toContain(PASSWORD);
    } finally {
      await server.stop();
      try {
        pgCtl(cluster.dir, 'start', cluster.port);
      } catch {
        // already running
      }
    }
  });
});
