import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { readmeBlock } from './readme-block';
import { join } from 'node:path';

export const NGINX = process.env.PANTRY_NGINX ?? '/usr/sbin/nginx';

/** A free loopback port. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/**
 * The nginx `location` that serves Pantry's visitor API and snippet under the site's own origin
 * at /pantry/unblu/, as the README shows it (test/readme.e2e-spec.ts runs the README's own
 * block): only what visitors need, the prefix stripped, the public host, scheme and prefix
 * passed on for `server.trustProxy`.
 */
export function pantryLocation(pantry: string): string {
  return `
    location /pantry/unblu/ {
      proxy_pass ${pantry}/unblu/;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-Host $http_host;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Prefix /pantry;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }`;
}

/**
 * A real nginx in front of a site, as the same-origin path deployment runs: /pantry/unblu/ to
 * Pantry (pantryLocation), everything else to the site's own server.
 */
export function startSiteBehindNginx(pantryPort: number, sitePort: number): Promise<RunningNginx> {
  return startNginx(
    `${pantryLocation(`http://127.0.0.1:${pantryPort}`)}
    location / {
      proxy_pass http://127.0.0.1:${sitePort};
      proxy_set_header Host $http_host;
    }`,
  );
}

/** Whether something accepts connections on a loopback port now. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

export interface RunningNginx {
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * Starts a real nginx, unprivileged, from a config this function writes into a temp folder:
 * one server on a loopback port, `locations` inside it. Fails (never skips) when nginx is
 * missing under CI=true, where .ci/run installs it.
 */
export function startNginx(locations: string): Promise<RunningNginx> {
  return startNginxHttp(
    (port) => `server {
    listen 127.0.0.1:${port};
    ${locations}
  }`,
  );
}

/**
 * Starts a real nginx whose `http` block holds what `servers` returns for a free loopback
 * port (whole `server` blocks, e.g. with TLS).
 */
export async function startNginxHttp(
  servers: (port: number) => string,
  { cpu }: { cpu?: string } = {},
): Promise<RunningNginx> {
  if (!existsSync(NGINX)) {
    throw new Error(`${NGINX} is missing: apt-get install nginx (.ci/run installs it)`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'pantry-nginx-'));
  for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi', 'logs']) {
    mkdirSync(join(dir, sub));
  }
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  ${servers(port)}
}
`,
  );
  const test = spawnSync(NGINX, ['-t', '-c', conf, '-p', dir], { encoding: 'utf8' });
  if (test.status !== 0) throw new Error(`nginx -t failed:\n${test.stderr}`);
  // `cpu` (the benchmarks): master and worker pinned to that core.
  const argv = ['-c', conf, '-p', dir, '-g', 'daemon off;'];
  const child: ChildProcess = spawn(
    cpu === undefined ? NGINX : 'taskset',
    cpu === undefined ? argv : ['-c', cpu, NGINX, ...argv],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (await accepts(port)) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      const log = existsSync(join(dir, 'logs/error.log'))
        ? readFileSync(join(dir, 'logs/error.log'), 'utf8')
        : '';
      throw new Error(`nginx did not start:\n${stderr}\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGQUIT');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * README's edge mode configuration: its one ```nginx block with `auth_request` (http-context
 * `upstream` and `map`, then the `server`), as test/edge-nginx.e2e-spec.ts and
 * test/browser/edge.e2e-spec.ts run it.
 */
export function readmeEdgeBlock(readme?: string): string {
  return readmeBlock('nginx', /^\s*auth_request\s/m, readme);
}

/** The edge block's `proxy_read_timeout` in ms: the most a page waits for a silent Pantry. */
export function edgeReadTimeoutMs(block = readmeEdgeBlock()): number {
  const ms = /proxy_read_timeout\s+(\d+)ms;/.exec(block)?.[1];
  if (ms === undefined) throw new Error('the edge block sets no proxy_read_timeout in ms');
  return Number(ms);
}

/** Where the test's edge configuration sends what the README sends to its fixed addresses. */
export interface EdgeAddresses {
  /** Pantry's port: the README's `127.0.0.1:3000`. */
  readonly pantry: number;
  /** The site's server: the README's `127.0.0.1:8080`. */
  readonly site: number;
}

/**
 * The README's edge block with only its addresses replaced, as the README says: each `listen`
 * by the loopback port nginx gets, `127.0.0.1:3000` by Pantry's port, `127.0.0.1:8080` by the
 * site's. A block without one of them fails (the test would run something else).
 */
export function edgeConfiguration(block: string, to: EdgeAddresses): (port: number) => string {
  for (const [what, pattern] of [
    ['listen', /^\s*listen\s/m],
    ['127.0.0.1:3000', /\b127\.0\.0\.1:3000\b/],
    ['127.0.0.1:8080', /\b127\.0\.0\.1:8080\b/],
  ] as const) {
    if (!pattern.test(block)) throw new Error(`the edge block has no ${what} to replace`);
  }
  return (port) =>
    block
      .replace(
        /^(\s*)listen\s+[^;]*;/gm,
        (_m, indent: string) => `${indent}listen 127.0.0.1:${port};`,
      )
      .replace(/\b127\.0\.0\.1:3000\b/g, `127.0.0.1:${to.pantry}`)
      .replace(/\b127\.0\.0\.1:8080\b/g, `127.0.0.1:${to.site}`);
}

/** A real nginx running the README's edge block in front of the site, asking Pantry. */
export function startEdgeNginx(
  to: EdgeAddresses,
  block = readmeEdgeBlock(),
): Promise<RunningNginx> {
  return startNginxHttp(edgeConfiguration(block, to));
}
