/**
 * Every code block of the README that an operator pastes is run here, so a README change that
 * breaks one fails `npm test`. Blocks are found by their fence's language, never by line:
 *
 * - ```properties: split into files by their header comments (`# config/application.properties`,
 *   `# config/accounts/<id>.properties`; a block must start with one) and loaded by the real
 *   configuration loader: zero problems. An account file that sets no `account.apiKeys` gets
 *   one (every account needs a key; a section shows the keys it is about).
 * - ```nginx: run in a real nginx in front of a real Pantry (a `location` block inside a server,
 *   a `server` block as it is; `listen`, certificates and `127.0.0.1:3000` rewritten to the
 *   test's). Through it the visitor API and the snippet work, while the operator routes answer
 *   404 without reaching Pantry; with `server.adminPort` they answer only on the admin port.
 *   The edge mode block (`auth_request`) is run by the edge suites, in front of a site.
 * - ```haproxy: the one block ("Running several nodes") run as it stands (addresses rewritten to
 *   loopback ports) in a real HAProxy in front of a real Pantry: its health check passes, the
 *   visitor API answers on the public frontend, the operator routes only on the internal one.
 *   test/fleet-haproxy.e2e-spec.ts runs the same block in front of three nodes.
 * - ```sh: every command line must match one entry of SHELL below, which says how it runs
 *   (curl against a real Pantry, `npm run doctor`) or why it is not run here. A line no entry
 *   matches fails the test: add an entry when you add a command to the README.
 */
import { execFileSync, spawn, SpawnOptions } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { formatProblem } from '../src/properties/configuration';
import { loadConfiguration } from '../src/properties/configuration.service';
import { ROLES } from '../src/access/roles';
import { signAssertion } from './helpers/assertions';
import { cookieHeader } from './helpers/cookies';
import {
  haproxyWanted,
  readmeHaproxyConfig,
  RunningHaproxy,
  startHaproxy,
} from './helpers/haproxy';
import { freePort, readmeEdgeBlock, RunningNginx, startNginxHttp } from './helpers/nginx';
import { AppHandle, ConfigFiles, TEST_ADMIN_TOKEN, useApp } from './helpers/test-app';

jest.setTimeout(120_000);

const ROOT = join(__dirname, '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

interface Block {
  readonly lang: string;
  readonly text: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The heading the block stands under. */
  readonly section: string;
}

/** The fenced code blocks of a Markdown text (indented fences too, as in lists). */
function codeBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  let section = '';
  for (let i = 0; i < lines.length; i++) {
    const heading = /^#{1,6}\s+(.*)$/.exec(lines[i]);
    if (heading) section = heading[1];
    const open = /^(\s*)```(\S*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const [, indent, lang] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j]); j++) {
      body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j]);
    }
    blocks.push({ lang, text: body.join('\n'), line: i + 1, section });
    i = j;
  }
  return blocks;
}

const BLOCKS = codeBlocks(README);
const named = (blocks: Block[]) =>
  blocks.map((b) => [`README.md:${b.line} (${b.section})`, b] as const);

// ---------------------------------------------------------------------------------------------
// properties

const FILE_HEADER =
  /^#\s*(config\/(?:application|accounts\/([a-z0-9][a-z0-9-]{0,62}))\.properties)\b/;

/** A properties block as files: relative path → text (header comments stay, as line 1). */
function propertiesFiles(block: Block): Map<string, string> {
  const files = new Map<string, string[]>();
  let current: string[] | null = null;
  for (const line of block.text.split('\n')) {
    const header = FILE_HEADER.exec(line);
    if (header) {
      current = files.get(header[1]) ?? [];
      files.set(header[1], current);
    } else if (!current && line.trim() !== '') {
      throw new Error(
        `README.md:${block.line}: a properties block starts with the file it belongs in ` +
          `(# config/application.properties or # config/accounts/<id>.properties), not ${JSON.stringify(line)}`,
      );
    }
    current?.push(line);
  }
  return new Map([...files].map(([path, lines]) => [path, lines.join('\n')]));
}

/** The problems the real loader reports for a properties block (formatted as at start). */
function loadProblems(block: Block): string[] {
  const root = mkdtempSync(join(tmpdir(), 'pantry-readme-'));
  try {
    const config = join(root, 'config');
    mkdirSync(join(config, 'accounts'), { recursive: true });
    writeFileSync(join(config, 'application.properties'), '');
    for (const [path, text] of propertiesFiles(block)) {
      const id = /accounts\/(.+)\.properties$/.exec(path)?.[1];
      const key =
        id && !/^\s*account\.apiKeys\s*[=:\s]/m.test(text)
          ? `\naccount.apiKeys = readme-${id}-key-1\n`
          : '';
      writeFileSync(join(root, path), `${text}\n${key}`);
    }
    const loaded = loadConfiguration(config);
    return loaded.ok ? [] : loaded.problems.map((p) => formatProblem(p).replace(`${root}/`, ''));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

describe('README properties blocks', () => {
  const blocks = BLOCKS.filter((b) => b.lang === 'properties');

  it('are there to test', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(8);
  });

  it.each(named(blocks))('%s loads with zero problems', (_name, block) => {
    expect(loadProblems(block)).toEqual([]);
  });

  it('the check fails a block that cannot be pasted (a value with a trailing comment)', () => {
    const broken: Block = {
      lang: 'properties',
      line: 0,
      section: 'self-test',
      text: '# config/application.properties\nserver.maxConnectionsPerAddress = 0     # limit at the proxy',
    };
    expect(loadProblems(broken)).toEqual([
      expect.stringContaining('config/application.properties:2: server.maxConnectionsPerAddress'),
    ]);
    expect(() => propertiesFiles({ ...broken, text: 'server.trustProxy = true' })).toThrow(
      /starts with the file it belongs in/,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// nginx

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

interface Through {
  readonly port: number;
  /** TLS: the CA to trust and the name to ask for. */
  readonly tls?: { readonly ca: string; readonly servername: string };
}

function send(
  via: Through,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const options = {
      host: '127.0.0.1',
      port: via.port,
      method,
      path,
      headers: {
        host: via.tls ? via.tls.servername : `127.0.0.1:${via.port}`,
        ...(body !== undefined
          ? {
              'content-type': 'application/json',
              'content-length': String(Buffer.byteLength(body)),
            }
          : {}),
        ...headers,
      },
      ...(via.tls ? { ca: via.tls.ca, servername: via.tls.servername } : {}),
    };
    const req = (via.tls ? httpsRequest : httpRequest)(options, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A Pantry answer (its JSON error shape), as opposed to the proxy's own page. */
const fromPantry = (a: Answer) =>
  /"statusCode":\d+/.test(a.body) || a.headers['x-request-id'] !== undefined;

/** A self-signed certificate for `name`, made with openssl (installed with the base system). */
function selfSignedCertificate(dir: string, name: string): { cert: string; key: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=${name}`,
      '-addext',
      `subjectAltName=DNS:${name}`,
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

interface NginxRun {
  readonly nginx: RunningNginx;
  readonly via: Through;
  /** The public path prefix the block announces (X-Forwarded-Prefix), '' without. */
  readonly prefix: string;
}

/** Runs a README nginx block in front of the Pantry at `pantry` (host:port). */
async function runNginxBlock(block: string, pantry: string, dir: string): Promise<NginxRun> {
  const server = /^\s*server\s*\{/m.test(block);
  const tls = /\blisten\b[^;]*\bssl\b/.test(block);
  const name = /\bserver_name\s+([^\s;]+)/.exec(block)?.[1] ?? 'www.shop.com';
  const certificate = tls ? selfSignedCertificate(dir, name) : null;
  let port = 0;
  const text = (p: number) => {
    port = p;
    const rewritten = block
      .replace(/\b(?:127\.0\.0\.1|localhost):3000\b/g, pantry)
      .replace(
        /^(\s*)listen\s+[^;]*;/gm,
        (_m, indent: string) => `${indent}listen 127.0.0.1:${p}${tls ? ' ssl' : ''};`,
      )
      .replace(
        /^(\s*)ssl_certificate\s+[^;]*;/gm,
        (_m, i: string) => `${i}ssl_certificate ${certificate?.cert};`,
      )
      .replace(
        /^(\s*)ssl_certificate_key\s+[^;]*;/gm,
        (_m, i: string) => `${i}ssl_certificate_key ${certificate?.key};`,
      );
    // Where the block leaves a path to the site, the site here answers 404 (nginx's own
    // default would be 403 for a missing folder).
    const site = /\blocation\s+\/\s*\{/.test(block) ? '' : '\n  location / { return 404; }\n';
    return server
      ? rewritten.replace(/\}\s*$/, `${site}}`)
      : `server {\n  listen 127.0.0.1:${p};\n${rewritten}${site}\n}`;
  };
  const nginx = await startNginxHttp(text);
  const prefix = /X-Forwarded-Prefix\s+([^\s;]+)/i.exec(block)?.[1] ?? '';
  return {
    nginx,
    prefix,
    via: {
      port,
      ...(certificate
        ? { tls: { ca: readFileSync(certificate.cert, 'utf8'), servername: name } }
        : {}),
    },
  };
}

const KEY = 'shop-key-0001';
const ASSERTION_SECRET = 'readme-assertion-secret-0123456789-abcdef';
const OPERATOR_PATHS = ['/metrics', '/admin/v1/accounts', '/admin/docs', '/'];
const AUTH = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

/** What goes wrong through the proxy: an empty list when visitors get what they need and nothing else. */
async function checkThroughProxy(run: NginxRun): Promise<string[]> {
  const findings: string[] = [];
  const { via, prefix } = run;
  const snippet = await send(via, 'GET', `${prefix}/unblu/visitor.js?x-unblu-apikey=${KEY}`);
  if (
    snippet.status !== 200 ||
    !String(snippet.headers['content-type']).startsWith('text/javascript')
  ) {
    findings.push(
      `the snippet answered ${snippet.status} ${String(snippet.headers['content-type'])}`,
    );
  }
  const origin = via.tls ? `https://${via.tls.servername}` : `http://127.0.0.1:${via.port}`;
  // The public base the proxy announced is baked in: the snippet calls back through it.
  if (
    snippet.status === 200 &&
    !snippet.body.includes(JSON.stringify(`${origin}${prefix}/unblu/`))
  ) {
    findings.push(`the snippet does not call back at ${origin}${prefix}/unblu`);
  }
  const identify = await send(
    via,
    'POST',
    `${prefix}/unblu/v1/consent?x-unblu-apikey=${KEY}`,
    { origin },
    '{"granted":true}',
  );
  const cookies = ([] as string[]).concat(identify.headers['set-cookie'] ?? []);
  if (identify.status !== 200)
    findings.push(`the visitor API answered ${identify.status}: ${identify.body}`);
  else if (!cookies.some((c) => /anonymous-person=.*Max-Age=34560000/.test(c))) {
    findings.push(`the visitor API set no durable identity cookie: ${cookies.join(' | ')}`);
  } else if (via.tls && !cookies.every((c) => /; Secure/.test(c))) {
    findings.push(`behind TLS, the cookies are not Secure: ${cookies.join(' | ')}`);
  }
  for (const path of OPERATOR_PATHS) {
    const answer = await send(via, 'GET', `${prefix}${path}`, AUTH);
    if (answer.status !== 404) findings.push(`${prefix}${path} answered ${answer.status}`);
    else if (fromPantry(answer))
      findings.push(`${prefix}${path} reached Pantry (the proxy forwards it)`);
  }
  return findings;
}

describe('README nginx blocks, in a real nginx in front of a real Pantry', () => {
  // The edge mode block (auth_request) puts the site behind nginx too: the edge suites run it
  // (test/edge-nginx.e2e-spec.ts, test/browser/edge.e2e-spec.ts, through readmeEdgeBlock).
  const edge = (b: Block) => /^\s*auth_request\s/m.test(b.text);
  const blocks = BLOCKS.filter((b) => b.lang === 'nginx' && !edge(b));

  it('the edge mode block is the one the edge suites run', () => {
    const edgeBlocks = BLOCKS.filter((b) => b.lang === 'nginx' && edge(b));
    expect(edgeBlocks.map((b) => b.text)).toEqual([readmeEdgeBlock(README)]);
  });
  let pantry: string;
  let adminPantry: string;
  let adminPort: number;
  let dir: string;

  const files = (extra: string): ConfigFiles => ({
    app: `server.trustProxy = true\nserver.maxConnectionsPerAddress = 0\n${extra}`,
    accounts: {
      shop: `account.apiKeys = ${KEY}\nidentifier.cookieDomain = AUTO`,
      demo: 'account.apiKeys = demo-key-0001',
    },
  });
  /** Listens on a free port of the loopback; answers `host:port`. */
  const listen = async ({ app }: AppHandle) => {
    await app.listen(0, '127.0.0.1');
    return `127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pantry-readme-nginx-'));
    adminPort = await freePort();
  });
  const mainNode = useApp(files(''));
  const adminNode = useApp(() => files(`server.adminPort = ${adminPort}`));
  beforeAll(async () => {
    pantry = await listen(mainNode);
    adminPantry = await listen(adminNode);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('are there to test: one without TLS, one ending TLS', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    expect(blocks.some((b) => /\bssl\b/.test(b.text))).toBe(true);
  });

  it.each(named(blocks))(
    '%s: the visitor API and snippet work, the operator routes are not forwarded',
    async (_n, block) => {
      const run = await runNginxBlock(block.text, pantry, dir);
      try {
        expect(await checkThroughProxy(run)).toEqual([]);
      } finally {
        await run.nginx.stop();
      }
    },
  );

  it.each(named(blocks))(
    '%s with server.adminPort: the operator routes answer only on the admin port',
    async (_n, block) => {
      const run = await runNginxBlock(block.text, adminPantry, dir);
      try {
        expect(await checkThroughProxy(run)).toEqual([]);
        const main = `http://${adminPantry}`;
        const admin = `http://127.0.0.1:${adminPort}`;
        for (const path of OPERATOR_PATHS) {
          await request(main).get(path).set(AUTH).expect(404);
        }
        await request(admin).get('/metrics').expect(200);
        await request(admin).get('/admin/v1/accounts').set(AUTH).expect(200);
        await request(admin).get('/admin/docs').expect(200);
        await request(admin).get('/').set('host', `localhost:${adminPort}`).expect(200);
      } finally {
        await run.nginx.stop();
      }
    },
  );

  it('the check fails a proxy that forwards more than the visitor API', async () => {
    const everything = `location /pantry/ {
  proxy_pass http://127.0.0.1:3000/;
  proxy_set_header Host $http_host;
  proxy_set_header X-Forwarded-Prefix /pantry;
}`;
    const run = await runNginxBlock(everything, pantry, dir);
    try {
      // Pantry still answers them 404 (the proxy headers), but the proxy forwarded them.
      expect(await checkThroughProxy(run)).toEqual(
        OPERATOR_PATHS.map((p) => `/pantry${p} reached Pantry (the proxy forwards it)`),
      );
    } finally {
      await run.nginx.stop();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// sh

/** How a README shell line runs: `curl` against the test's Pantry, a script, or not here. */
type ShellRunner =
  | { readonly kind: 'curl' }
  | { readonly kind: 'doctor' }
  | { readonly kind: 'pantry' }
  | { readonly kind: 'assignment' }
  | { readonly kind: 'not run'; readonly why: string };

const SHELL: ReadonlyArray<readonly [RegExp, ShellRunner]> = [
  [
    /^npm ci && npm start$/,
    {
      kind: 'not run',
      why: 'npm ci reinstalls node_modules under the running tests; the start is test/startup.e2e-spec.ts',
    },
  ],
  [/^npm test$/, { kind: 'not run', why: 'it is what runs this test' }],
  [/^TOKEN=…$/, { kind: 'assignment' }],
  [/^A="Authorization: Bearer \$TOKEN"$/, { kind: 'assignment' }],
  // `pty_…`: a credential's token from an earlier answer; here one of the role the name says.
  [/^(OWNER|EDITOR|PRIVACY|READER|BACKEND)=pty_…$/, { kind: 'assignment' }],
  // The console's session through curl: a cookie jar (one file for the whole test), and the
  // session's CSRF token read from it (run again before each later line, as a shell would keep it).
  [/^JAR=\$\(mktemp\)$/, { kind: 'assignment' }],
  [
    /^CSRF=\$\(curl -s -b "\$JAR" http:\/\/localhost:3000\/admin\/v1\/session \| jq -r \.csrfToken\)$/,
    { kind: 'assignment' },
  ],
  [/^curl\b.*\bhttps?:\/\/localhost:3000\//, { kind: 'curl' }],
  [/^npm run doctor -- /, { kind: 'doctor' }],
  [
    /^npm run pantry -- db copy /,
    {
      kind: 'not run',
      why: 'it needs a PostgreSQL database: test/db-copy.e2e-spec.ts runs its section as written',
    },
  ],
  // Against the test's configuration (SQLite): each must exit 0.
  [/^npm run pantry -- (check|admin-token)$/, { kind: 'pantry' }],
];

/** The command lines of a sh block: comments and blank lines dropped, `\` continuations joined. */
function commandLines(text: string): string[] {
  const joined = text.replace(/\\\n\s*/g, ' ');
  return joined
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

/** A line without its trailing comment (a `#` after a blank, outside quotes). */
function withoutComment(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && /\s/.test(line[i - 1] ?? ' ')) return line.slice(0, i).trim();
  }
  return line.trim();
}

function runnerFor(line: string): ShellRunner | undefined {
  const command = withoutComment(line);
  return SHELL.find(([pattern]) => pattern.test(command))?.[1];
}

/** Runs a command to its end without blocking the event loop; 60 s at most. */
function run(
  command: string,
  args: string[],
  options: SpawnOptions,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** The cookie jar of the README's console lines (`JAR=$(mktemp)`): one file the lines share. */
const CONSOLE_JAR = join(mkdtempSync(join(tmpdir(), 'pantry-readme-jar-')), 'console.jar');

/** Tokens of credentials of the sh blocks' account, one per role (made before the blocks run). */
const ROLE_TOKENS = new Map<string, string>();

/**
 * A README variable assignment as it runs here: `TOKEN=…` is the test's admin token, `OWNER=pty_…`
 * (and the other roles) a token of a credential with that role.
 */
const assignment = (line: string) =>
  line
    .replace(/^TOKEN=…/, `TOKEN='${TEST_ADMIN_TOKEN}'`)
    .replace(/^JAR=\$\(mktemp\)/, `JAR='${CONSOLE_JAR}'`)
    .replace(/^([A-Z]+)=pty_…/, (_m, name: string) => {
      const token = ROLE_TOKENS.get(name.toLowerCase());
      if (!token) throw new Error(`no credential for ${name}=pty_…`);
      return `${name}='${token}'`;
    });

/** Placeholders the README's commands use, and the value each stands for here. */
type Placeholders = Record<string, (line: string) => Promise<string>>;

describe('README sh blocks', () => {
  const blocks = BLOCKS.filter((b) => b.lang === 'sh' || b.lang === 'bash' || b.lang === 'shell');
  let base: string;

  const booted = useApp({
    accounts: {
      shop: `account.apiKeys = ${KEY}\nauthentication.assertionSecret = ${ASSERTION_SECRET}`,
    },
  });
  beforeAll(async () => {
    await booted.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(booted.app.getHttpServer().address() as { port: number }).port}`;
    for (const role of ROLES) ROLE_TOKENS.set(role, (await credential('shop', role)).token);
  });

  /** A credential of the account, made with the admin token. */
  const credential = async (account: string, role: string) => {
    const res = await request(base)
      .post(`/admin/v1/accounts/${account}/credentials`)
      .set(AUTH)
      .send({ name: `readme ${role}`, role })
      .expect(201);
    return res.body as { id: string; token: string };
  };

  let customers = 0;
  const accountOf = (line: string) => /\/accounts\/([a-z0-9-]+)\//.exec(line)?.[1] ?? 'shop';
  const placeholders: Placeholders = {
    /** A credential of the account (a reader's), made to be revoked. */
    CREDENTIAL_ID: async (line) => (await credential(accountOf(line), 'reader')).id,
    /** A customer who logged in through the visitor API (as the snippet does) on a visitor. */
    CUSTOMER_ID: async (line) => {
      const id = accountOf(line);
      const consent = await request(base)
        .post(`/unblu/v1/consent?x-unblu-apikey=${KEY}`)
        .send({ granted: true })
        .expect(200);
      const customer = `readme-customer-${++customers}`;
      await request(base)
        .post(`/unblu/v1/login?x-unblu-apikey=${KEY}`)
        .set('Cookie', cookieHeader(consent))
        .send({ assertion: await signAssertion(ASSERTION_SECRET, id, customer) })
        .expect(200);
      return customer;
    },
    /** The account's oldest API key (the one created with it). */
    OLD_KEY: async (line) => {
      const res = await request(base)
        .get(`/admin/v1/accounts/${accountOf(line)}/apikeys`)
        .set(AUTH)
        .expect(200);
      return (res.body as Array<{ key: string }>)[0].key;
    },
    /** A visitor of the account who granted consent, once its record is written. */
    VISITOR_ID: async (line) => {
      const id = accountOf(line);
      const keys = await request(base)
        .get(`/admin/v1/accounts/${id}/apikeys`)
        .set(AUTH)
        .expect(200);
      const key = (keys.body as Array<{ key: string }>)[0].key;
      const res = await request(base)
        .post(`/unblu/v1/consent?x-unblu-apikey=${key}`)
        .send({ granted: true })
        .expect(200);
      const visitor = (res.body as { visitorId: string }).visitorId;
      for (let i = 0; i < 100; i++) {
        const record = await request(base)
          .get(`/admin/v1/accounts/${id}/visitors/${visitor}`)
          .set(AUTH);
        if (record.status === 200) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      return visitor;
    },
  };

  it('are there to test', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(3);
  });

  it('every command line is matched by exactly one runner (add one to SHELL for a new command)', () => {
    const lines = blocks.flatMap((b) =>
      commandLines(b.text).map((l) => `README.md:${b.line}: ${l}`),
    );
    const unmatched = lines.filter((l) => {
      const command = withoutComment(l.replace(/^README\.md:\d+: /, ''));
      return SHELL.filter(([pattern]) => pattern.test(command)).length !== 1;
    });
    expect(unmatched).toEqual([]);
    expect(runnerFor('pantry frobnicate --now')).toBeUndefined();
  });

  it.each(named(blocks))('%s runs', async (_n, block) => {
    // One terminal session: variables set by an earlier block (TOKEN, A) hold in later ones.
    const earlier = blocks
      .filter((b) => b.line < block.line)
      .flatMap((b) => commandLines(b.text))
      .filter((l) => runnerFor(l)?.kind === 'assignment')
      .map((l) => assignment(l.replace(/\bhttps?:\/\/localhost:3000\b/g, base)));
    let prelude =
      `set -o pipefail\ncurl() { command curl --fail-with-body --silent --show-error --max-time 30 "$@"; }\n` +
      earlier.map((l) => `${l}\n`).join('');
    for (const line of commandLines(block.text)) {
      const runner = runnerFor(line);
      if (!runner)
        throw new Error(`README.md:${block.line}: no runner for ${JSON.stringify(line)}`);
      if (runner.kind === 'not run') continue;
      let command = line.replace(/\bhttps?:\/\/localhost:3000\b/g, base);
      if (runner.kind === 'assignment') {
        prelude += `${assignment(command)}\n`;
        continue;
      }
      for (const name of new Set(
        command.match(/(?<=\/)[A-Z][A-Z0-9]*_[A-Z0-9_]+(?=[/?'"\s]|$)/g) ?? [],
      )) {
        const value = placeholders[name];
        if (!value)
          throw new Error(
            `README.md:${block.line}: unknown placeholder ${name} in ${JSON.stringify(line)}`,
          );
        command = command.replaceAll(name, await value(command));
      }
      // Asynchronously: the Pantry that answers runs in this process.
      const result = await run('bash', ['-c', `${prelude}${command}`], {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          PANTRY_CONFIG_DIR: booted.ws.configDir,
          // The token the test's Pantry runs with (pantry admin-token shows it).
          PANTRY_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
        },
      });
      const output = `${result.stdout}${result.stderr}`;
      if (runner.kind === 'pantry') {
        expect({ line, status: result.status, output }).toEqual({ line, status: 0, output });
      } else if (runner.kind === 'curl') {
        // --fail-with-body: an answer ≥ 400 is exit 22, with Pantry's error in the output.
        if (result.status !== 0) {
          throw new Error(`README.md:${block.line}: ${line}\nexited ${result.status}:\n${output}`);
        }
      } else {
        // A diagnosis, whatever DNS says here: DURABLE exit 0, CAPPED 1, UNKNOWN 2.
        const verdict = /^(DURABLE|CAPPED|UNKNOWN): identity cookies in Safari/m.exec(output)?.[1];
        expect({ line, verdict, status: result.status }).toEqual({
          line,
          verdict: expect.any(String),
          status: ['DURABLE', 'CAPPED', 'UNKNOWN'].indexOf(verdict ?? ''),
        });
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// haproxy

(haproxyWanted() ? describe : describe.skip)(
  'README HAProxy block, as it stands, in a real HAProxy in front of a real Pantry',
  () => {
    const node = useApp({
      accounts: { shop: `account.apiKeys = ${KEY}\nconsent.required = false` },
    });
    let haproxy: RunningHaproxy;
    let visitors = '';
    let operators = '';
    beforeAll(async () => {
      await node.app.listen(0, '127.0.0.1');
      const { port } = node.app.getHttpServer().address() as { port: number };
      // Its three server lines all point at the one Pantry here.
      haproxy = await startHaproxy(readmeHaproxyConfig(), [port, port, port]);
      [visitors, operators] = haproxy.binds.map((p) => `http://127.0.0.1:${p}`);
    });
    afterAll(() => haproxy?.stop());

    it('health-checks /health/ready, serves visitors on the public side and operators on the internal one', async () => {
      // The first checks come within one `inter` (2 s): each must pass.
      const deadline = Date.now() + 10_000;
      let servers = await haproxy.servers();
      while (!servers.every((s) => s.check === 'L7OK') && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        servers = await haproxy.servers();
      }
      expect(servers.map((s) => [s.name, s.status, s.check])).toEqual(
        ['node1', 'node2', 'node3'].map((n) => [n, 'UP', 'L7OK']),
      );
      const visit = await request(visitors).post(`/unblu/v1/identify?x-unblu-apikey=${KEY}`);
      expect(visit.status).toBe(200);
      expect(visit.headers['x-served-by']).toMatch(/^node[123]$/);
      for (const path of OPERATOR_PATHS) {
        const res = await request(visitors).get(path).set(AUTH);
        expect({ path, status: res.status, pantry: res.headers['x-request-id'] }).toEqual({
          path,
          status: 404,
          pantry: undefined,
        });
      }
      await request(operators).get('/admin/v1/accounts').set(AUTH).expect(200);
    });
  },
);

/** The fence languages this test does not run, and why; any other language must be run above. */
const NOT_RUN: Record<string, string> = {
  '': 'sample output (problems as the loader prints them, folder layouts)',
  html: 'embed code: the browser suites (test/browser/) load the same snippet tags',
  js: "the site backend's assertion signing: test/known-visitors.e2e-spec.ts signs with jose the same way",
  http: 'an example exchange to read, not a command',
  dns: 'zone records for the operator’s DNS',
};
// yaml: Prometheus rules, whose metric names are checked against a real /metrics below; json:
// sample log lines, each checked to be one JSON object of the fields Pantry writes.
const RUN = ['properties', 'nginx', 'haproxy', 'sh', 'bash', 'shell', 'yaml', 'json'];

describe('README code blocks', () => {
  it('each is of a language this test runs, or says why it does not', () => {
    const unknown = BLOCKS.filter((b) => !RUN.includes(b.lang) && !(b.lang in NOT_RUN)).map(
      (b) => `README.md:${b.line}: \`\`\`${b.lang}`,
    );
    expect(unknown).toEqual([]);
  });
});

// The README's own links to the operator pages stay where Pantry serves them by default, and
// its alerting rules name metrics that exist.
describe('README links to the demo and the admin docs', () => {
  const booted = useApp({
    accounts: { demo: readFileSync(join(ROOT, 'config/accounts/demo.properties'), 'utf8') },
  });

  it.each([
    ...new Set(README.match(/http:\/\/localhost:3000\/(?:admin\/docs[\w-]*)?(?=[\s*`)])/g) ?? []),
  ])('%s answers 200', async (url) => {
    const path = new URL(url).pathname;
    await booted.http().get(path).set('host', 'localhost:3000').expect(200);
  });

  it('the alerting rules (```yaml) name metrics Pantry exports', async () => {
    const text = (await booted.http().get('/metrics').expect(200)).text;
    const names = BLOCKS.filter((b) => b.lang === 'yaml').flatMap(
      (b) => b.text.match(/\bpantry_\w+/g) ?? [],
    );
    expect(names.length).toBeGreaterThan(0);
    const missing = [...new Set(names)]
      .map((n) => n.replace(/_(count|sum|bucket)$/, ''))
      .filter((n) => !text.includes(`# TYPE ${n} `));
    expect(missing).toEqual([]);
  });

  it('each ```json sample line is JSON with the fields Pantry writes (the access log: SPEC §13)', () => {
    const lines = BLOCKS.filter((b) => b.lang === 'json').flatMap((b) =>
      b.text
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => ({ line: b.line, value: JSON.parse(l) as Record<string, unknown> })),
    );
    expect(lines.length).toBeGreaterThan(0);
    for (const { line, value } of lines) {
      const fields = ['level', 'time', 'context', 'msg'];
      if (value.msg === 'request') {
        fields.push('reqId', 'method', 'route', 'status', 'ms', 'account', 'outcome');
      }
      expect({ line, fields: Object.keys(value) }).toEqual({ line, fields });
    }
  });

  it('names both', () => {
    expect(README).toContain('http://localhost:3000/**');
    expect(README).toContain('http://localhost:3000/admin/docs');
  });
});
