import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../src/cli/cli';
import { CliIo } from '../src/cli/cli-io';
import { createWorkspace, TEST_ADMIN_TOKEN, useApp } from './helpers/test-app';

jest.setTimeout(60_000);

const ROOT = join(__dirname, '..');

interface Run {
  code: number;
  out: string;
  err: string;
}

/** `pantry ARGS` in this process, with its own environment (nothing of the test runner's). */
async function pantry(args: string[], env: Record<string, string> = {}): Promise<Run> {
  let out = '';
  let err = '';
  const io: CliIo = {
    out: (t) => (out += t),
    err: (t) => (err += t),
    env: { PATH: process.env.PATH, ...env },
  };
  const code = await runCli(args, io);
  return { code, out, err };
}

describe('pantry (the command line)', () => {
  describe('the program', () => {
    it('is the package bin, built from src/cli.ts with a node shebang', () => {
      const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
        bin: Record<string, string>;
        scripts: Record<string, string>;
      };
      expect(pkg.bin).toEqual({ pantry: 'dist/cli.js' });
      expect(pkg.scripts.pantry).toMatch(/npm run build .*&& node dist\/cli\.js$/);
      expect(readFileSync(join(ROOT, 'src', 'cli.ts'), 'utf8')).toMatch(
        /^#!\/usr\/bin\/env node\n/,
      );
    });

    it('runs as a real process: --help lists every command, exit 0', () => {
      const run = spawnSync(
        process.execPath,
        ['-r', 'ts-node/register/transpile-only', 'src/cli.ts', '--help'],
        { cwd: ROOT, env: { PATH: process.env.PATH ?? '' }, encoding: 'utf8' },
      );
      expect(run.status).toBe(0);
      for (const command of ['check', 'doctor', 'db', 'admin-token']) {
        expect(run.stdout).toContain(`  ${command} `);
      }
    });

    it.each([
      [['check', '--help'], /Usage: pantry check[\s\S]*--config <dir>[\s\S]*Exit status: 0 valid/],
      [
        ['doctor', '--help'],
        /Usage: pantry doctor[\s\S]*--account <id>[\s\S]*--page <url>[\s\S]*--server <url>[\s\S]*--json[\s\S]*3 usage/,
      ],
      [['db', '--help'], /Usage: pantry db[\s\S]*copy/],
      [['db', 'copy', '--help'], /Usage: pantry db copy[\s\S]*--to <url>[\s\S]*--from <url>/],
      [['admin-token', '--help'], /Usage: pantry admin-token[\s\S]*PANTRY_ADMIN_TOKEN/],
      [['help', 'doctor'], /Usage: pantry doctor/],
    ])('%j prints the help and exits 0', async (args, help) => {
      const run = await pantry(args);
      expect(run.out).toMatch(help);
      expect(run.code).toBe(0);
    });

    it.each([
      [[], 2],
      [['frobnicate'], 2],
      [['check', '--bogus'], 2],
      [['check', 'extra-argument'], 2],
      [['doctor', '--page', 'http://127.0.0.1/'], 3],
      [['doctor', '--account', 'shop'], 3],
      [['db'], 1],
      [['db', 'copy'], 1],
      [['db', 'copy', '--to', 'mysql://nope'], 1],
      [['admin-token', '--bogus'], 2],
    ])('usage error %j exits %i and says what is wrong', async (args, code) => {
      const run = await pantry(args);
      expect(run.code).toBe(code);
      expect(run.err).not.toBe('');
    });
  });

  describe('check', () => {
    it('the sample config/ is valid: exit 0', async () => {
      const run = await pantry(['check', '--config', join(ROOT, 'config')], {
        // Its database.url is relative; the sample's SQLite file need not exist.
      });
      expect(run.err).toBe('');
      expect(run.out).toMatch(/^configuration valid: 1 account file/);
      expect(run.code).toBe(0);
    });

    it('a broken config: exit 1 and every problem as FILE:LINE: KEY: PROBLEM', async () => {
      const ws = createWorkspace({
        app: 'server.logFormat = loud\nserver.drainSeconds = 9\n',
        accounts: {
          shop: ['account.apiKeys = shop-key-0001', 'consent.required = maybe'].join('\n'),
          other: 'account.apiKeys = shop-key-0001',
        },
      });
      try {
        const run = await pantry(['check', '--config', ws.configDir]);
        const app = join(ws.configDir, 'application.properties');
        const shop = join(ws.configDir, 'accounts', 'shop.properties');
        const other = join(ws.configDir, 'accounts', 'other.properties');
        expect(run.out.trimEnd().split('\n')).toEqual([
          expect.stringMatching(new RegExp(`^${app}:1: server\\.logFormat: .+`)),
          expect.stringMatching(
            new RegExp(`^${app}:2: server\\.drainSeconds: a drain of 9 s leaves 1 s of .+ 11$`),
          ),
          expect.stringMatching(
            new RegExp(`^${shop}:1: account\\.apiKeys: API key "shop-key-0001" .*${other}`),
          ),
          expect.stringMatching(new RegExp(`^${shop}:2: consent\\.required: .+maybe`)),
        ]);
        expect(run.code).toBe(1);
      } finally {
        ws.remove();
      }
    });

    it('a generated-secrets file that does not read is a problem: a start would fail (exit 1)', async () => {
      const ws = createWorkspace({
        app: (dataDir) => `database.url = sqlite:${join(dataDir, 'pantry.sqlite')}\n`,
        accounts: { shop: 'account.apiKeys = shop-key-0001' },
      });
      try {
        mkdirSync(ws.dataDir, { recursive: true });
        writeFileSync(join(ws.dataDir, 'secrets.json'), '{"signingSecret": "trunc');
        const run = await pantry(['check', '--config', ws.configDir]);
        expect(run.out).toMatch(
          new RegExp(
            `^${join(ws.dataDir, 'secrets.json')}:1: \\(generated secrets\\): not valid JSON`,
          ),
        );
        expect(run.code).toBe(1);
      } finally {
        ws.remove();
      }
    });

    it('an unreachable database: the files are checked, the keys against it are not (said), exit 0', async () => {
      const ws = createWorkspace({
        app: 'database.url = postgres://pantry:s3cret@127.0.0.1:1/pantry\n',
        accounts: { shop: 'account.apiKeys = shop-key-0001' },
      });
      try {
        const run = await pantry(['check', '--config', ws.configDir]);
        expect(run.out).toMatch(
          /^configuration valid: 1 account file\(s\); API keys not checked against the database \(.*ECONNREFUSED/,
        );
        expect(run.out + run.err).not.toContain('s3cret');
        expect(run.code).toBe(0);
      } finally {
        ws.remove();
      }
    });

    it('PANTRY_CONFIG_DIR is read when --config is not given; a missing directory cannot run (2)', async () => {
      const ws = createWorkspace({ accounts: { shop: 'account.apiKeys = shop-key-0001' } });
      try {
        expect((await pantry(['check'], { PANTRY_CONFIG_DIR: ws.configDir })).code).toBe(0);
        const missing = await pantry(['check', '--config', join(ws.root, 'nowhere')]);
        expect(missing.err).toMatch(/nowhere is not a directory/);
        expect(missing.code).toBe(2);
      } finally {
        ws.remove();
      }
    });
  });

  describe('with the database (API-created accounts)', () => {
    let apiKey = '';
    let generatedToken = '';
    const env = () => ({ PANTRY_CONFIG_DIR: booted.ws.configDir });

    // No admin token configured: one is generated (data/secrets.json, or the database).
    const booted = useApp(
      { accounts: { shop: 'account.apiKeys = shop-key-0001' } },
      { env: { PANTRY_ADMIN_TOKEN: undefined } },
    );
    beforeAll(async () => {
      const { body: created } = await pantry(['admin-token'], env()).then(async (run) => {
        generatedToken = run.out.trim();
        return booted
          .http()
          .post('/admin/v1/accounts')
          .set('Authorization', `Bearer ${generatedToken}`)
          .send({ id: 'api-shop' })
          .expect(201);
      });
      apiKey = (created as { apiKeys: Array<{ key: string }> }).apiKeys[0].key;
    });

    const admin = () => ({ Authorization: `Bearer ${generatedToken}` });

    it('admin-token prints the generated token (which the server accepts) and where it is kept', async () => {
      const run = await pantry(['admin-token'], env());
      expect(run.code).toBe(0);
      expect(run.out).toBe(`${generatedToken}\n`);
      expect(generatedToken).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(run.err).toMatch(
        booted.ws.postgres
          ? /generated, kept in the database \(table shared_secrets\)/
          : /generated, kept in .*data\/secrets\.json/,
      );
      await booted.http().get('/admin/v1/accounts').set(admin()).expect(200);
    });

    it('admin-token: PANTRY_ADMIN_TOKEN wins, then admin.token in the file', async () => {
      const fromEnv = await pantry(['admin-token'], {
        ...env(),
        PANTRY_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      });
      expect(fromEnv).toEqual({
        code: 0,
        out: `${TEST_ADMIN_TOKEN}\n`,
        err: 'admin token: from the environment (PANTRY_ADMIN_TOKEN)\n',
      });
      const other = createWorkspace({ app: 'admin.token = file-admin-token-0123456789\n' });
      try {
        const fromFile = await pantry(['admin-token', '--config', other.configDir]);
        expect(fromFile.out).toBe('file-admin-token-0123456789\n');
        expect(fromFile.err).toMatch(/admin\.token, .*application\.properties:1/);
        expect(fromFile.code).toBe(0);
      } finally {
        other.remove();
      }
    });

    it('doctor diagnoses an API-created account on its overrides, as the admin route does', async () => {
      const page = 'http://127.0.0.1:8080/';
      const durable = await pantry(['doctor', '--account', 'api-shop', '--page', page], env());
      expect(durable.out).toMatch(/DURABLE: identity cookies in Safari: 400 days/);
      expect(durable.code).toBe(0);

      await booted
        .http()
        .put('/admin/v1/accounts/api-shop/properties/server.cors.corsCookieMode')
        .set(admin())
        .send({ value: 'LOCAL_STORAGE' })
        .expect(200);
      const capped = await pantry(
        ['doctor', '--account', 'api-shop', '--page', page, '--json'],
        env(),
      );
      const route = await booted
        .http()
        .get('/admin/v1/accounts/api-shop/diagnostics')
        .query({ page })
        .set(admin())
        .expect(200);
      expect(JSON.parse(capped.out)).toEqual(route.body);
      expect(route.body).toMatchObject({ verdict: 'capped', corsCookieMode: 'LOCAL_STORAGE' });
      expect(capped.code).toBe(1);

      const unknown = await pantry(['doctor', '--account', 'nobody', '--page', page], env());
      expect(unknown.err).toMatch(/No account "nobody" in the configuration files or the database/);
      expect(unknown.code).toBe(3);
      const badPage = await pantry(
        ['doctor', '--account', 'api-shop', '--page', 'ftp://x/'],
        env(),
      );
      expect(badPage.err).toMatch(/page must be an http\(s\) URL/);
      expect(badPage.code).toBe(3);
    });

    it('db copy to a database it cannot reach fails (exit 1), saying why, and no password', async () => {
      const run = await pantry(
        [
          'db',
          'copy',
          '--from',
          booted.ws.databaseUrl,
          '--to',
          'postgres://pantry:s3cret@127.0.0.1:1/nope',
        ],
        env(),
      );
      expect(run.err).toMatch(
        /the copy failed, nothing was committed to postgres:\/\/pantry@127\.0\.0\.1:1\/nope: .*ECONNREFUSED/,
      );
      expect(run.out + run.err).not.toContain('s3cret');
      expect(run.code).toBe(1);
    });

    it('check: a file account reusing an API-created account’s key is a problem (exit 1)', async () => {
      expect((await pantry(['check'], env())).out).toMatch(/API keys checked against/);
      const file = join(booted.ws.configDir, 'accounts', 'thief.properties');
      booted.ws.write(
        'accounts/thief.properties',
        `# takes another's key\naccount.apiKeys = ${apiKey}\n`,
      );
      try {
        const run = await pantry(['check'], env());
        expect(run.out).toBe(
          `${file}:2: account.apiKeys: API key "${apiKey}" is already used by account "api-shop" (created through the admin API); API keys must be unique across accounts: give this account its own key, or revoke it there first\n`,
        );
        expect(run.code).toBe(1);
      } finally {
        booted.ws.write('accounts/thief.properties', 'account.apiKeys = thief-key-0001\n');
      }
      expect((await pantry(['check'], env())).code).toBe(0);
    });
  });
});
