import { statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createWorkspace, openDatabase, TestWorkspace } from './helpers/test-app';
import { startServerProcess } from './helpers/server-process';

jest.setTimeout(60_000);

describe('starting the server process', () => {
  let ws: TestWorkspace;
  afterEach(() => ws.remove());

  it('exits non-zero and prints every problem, one per line, as FILE:LINE: KEY: PROBLEM', async () => {
    ws = createWorkspace({
      app: 'server.multiAccount = perhaps\nidentifier.cookieDomain = .co.uk',
      accounts: {
        acme: [
          'account.apiKeys = acme-key-0001',
          'identifier.cookieSameSite = Laxx',
          'identifier.cookieSecureFlag = false',
          'identifier.cookiePartitioned = true',
          'identifier.cookeDomain = AUTO',
          'server.trustProxy = true',
        ].join('\n'),
        beta: 'account.apiKeys = acme-key-0001',
        Bad_Id: 'account.apiKeys = bad-id-key-1',
      },
    });
    const server = startServerProcess({ PANTRY_CONFIG_DIR: ws.configDir });
    expect(await server.exited).toBe(1);
    const lines = server.output().trim().split('\n');
    const app = join(ws.configDir, 'application.properties');
    const acct = (id: string) => join(ws.configDir, 'accounts', `${id}.properties`);
    expect(lines).toEqual([
      'Pantry cannot start: the configuration has 8 problem(s):',
      `${app}:1: server.multiAccount: must be true or false (got "perhaps")`,
      `${app}:2: identifier.cookieDomain: ".co.uk" is a public suffix (Public Suffix List): browsers refuse cookies for it; use a registrable domain such as .example.co.uk`,
      `${acct('Bad_Id')}:1: (account id): "Bad_Id" is not a valid account id: the file name must match [a-z0-9][a-z0-9-]{0,62}.properties`,
      `${acct('acme')}:2: identifier.cookieSameSite: must be one of Lax, Strict, None, AUTO (got "Laxx")`,
      `${acct('acme')}:4: identifier.cookiePartitioned: Partitioned requires identifier.cookieSecureFlag=true (browsers reject it otherwise)`,
      `${acct('acme')}:5: identifier.cookeDomain: unknown property (did you mean "identifier.cookieDomain"?)`,
      `${acct('acme')}:6: server.trustProxy: IMMUTABLE property: set it in application.properties, not in an account file`,
      `${acct('beta')}:1: account.apiKeys: API key "acme-key-0001" is already used by ${acct('acme')}:1; API keys must be unique across accounts`,
    ]);
  });

  // Nest's shutdown hooks close the app, then re-raise the signal: a clean SIGTERM exit.
  const CLEAN_STOP = 'SIGTERM';

  it('exits non-zero when the config directory does not exist', async () => {
    ws = createWorkspace();
    const server = startServerProcess({ PANTRY_CONFIG_DIR: join(ws.root, 'missing') });
    expect(await server.exited).toBe(1);
    expect(server.output()).toContain('(config directory): not found or not a directory');
  });

  it('with JSON logs, never prints a generated admin token: the log says where it is kept', async () => {
    ws = createWorkspace({
      app: 'server.logFormat = json',
      accounts: { shop: 'account.apiKeys = shop-key-0001' },
    });
    const server = startServerProcess({ PANTRY_CONFIG_DIR: ws.configDir });
    await server.listening;
    expect(await server.stop()).toBe(CLEAN_STOP);
    const lines = server.output().trim().split('\n');
    for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
    expect(server.output()).toMatch(/generated an admin token; read it from/);
    expect(server.output()).not.toMatch(/shown only this once/);
  });

  it('generates secrets once (0600), shows a generated admin token once, and logs no secret', async () => {
    ws = createWorkspace({
      app: 'server.logFormat = pretty',
      accounts: { shop: 'account.apiKeys = shop-key-0001' },
    });
    const first = startServerProcess({ PANTRY_CONFIG_DIR: ws.configDir });
    const url = await first.listening;
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect(await first.stop()).toBe(CLEAN_STOP);

    // SQLite: a 0600 file in the data directory; PostgreSQL: the table every node shares.
    const file = join(ws.dataDir, 'secrets.json');
    const stored = async (): Promise<Record<string, string>> => {
      if (!ws.postgres) return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
      const db = await openDatabase(ws);
      const rows = await db.query<Array<{ name: string; value: string }>>(
        `SELECT "name", "value" FROM "shared_secrets"`,
      );
      await db.destroy();
      return Object.fromEntries(rows.map((r) => [r.name, r.value]));
    };
    if (!ws.postgres) expect(statSync(file).mode & 0o777).toBe(0o600);
    const secrets = await stored();
    expect(Object.keys(secrets).sort()).toEqual(['adminToken', 'encryptionKey', 'signingSecret']);
    const count = (text: string, s: string) => text.split(s).length - 1;
    expect(count(first.output(), secrets.adminToken)).toBe(1);
    expect(first.output()).not.toContain(secrets.signingSecret);
    expect(first.output()).not.toContain(secrets.encryptionKey);

    const second = startServerProcess({ PANTRY_CONFIG_DIR: ws.configDir });
    await second.listening;
    expect(await second.stop()).toBe(CLEAN_STOP);
    expect(await stored()).toEqual(secrets);
    for (const secret of Object.values(secrets)) expect(second.output()).not.toContain(secret);
  });

  it('never logs configured secrets, even when a reload reports problems with them', async () => {
    const signing = 'configured-signing-secret-0123456789-abcdef';
    const key = Buffer.alloc(32, 7).toString('base64');
    const token = 'configured-admin-token-0123456789';
    const envToken = 'environment-admin-token-9876543210';
    ws = createWorkspace({
      app: [
        `identifier.signingSecrets = ${signing}`,
        `server.aes.encryptionKey = ${key}`,
        `admin.token = ${token}`,
      ].join('\n'),
      accounts: { shop: 'account.apiKeys = shop-key-0001' },
    });
    const server = startServerProcess({
      PANTRY_CONFIG_DIR: ws.configDir,
      PANTRY_ADMIN_TOKEN: envToken,
    });
    await server.listening;
    // A broken edit that puts secrets in wrong places: the problems are reported, values never.
    const short = 'short-secret-value';
    ws.write(
      'application.properties',
      [
        `identifier.signingSecrets = ${signing},${short}`,
        `server.aes.encryptionKey = ${key}x`,
        `admin.token = ${token} with spaces`,
        `database.url = ${ws.databaseUrl}`,
      ].join('\n'),
    );
    const deadline = Date.now() + 10_000;
    while (!server.output().includes('not reloaded') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await server.stop()).toBe(CLEAN_STOP);
    const output = server.output();
    expect(output).toContain('identifier.signingSecrets: secret #2 is too short');
    expect(output).toContain('server.aes.encryptionKey: must be the base64 encoding');
    expect(output).toContain('admin.token: must be 16 to 512 visible ASCII characters');
    for (const secret of [signing, key, token, envToken, short]) {
      expect(output).not.toContain(secret);
    }
    expect(output).not.toContain(key.slice(0, 20));
  });
});
