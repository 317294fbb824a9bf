import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accepts, freePort } from './nginx';
import { readmeBlock } from './readme-block';

export const HAPROXY = process.env.PANTRY_HAPROXY ?? '/usr/sbin/haproxy';

/**
 * Whether the HAProxy suites run: when Debian's haproxy is installed, and always under CI
 * (.ci/run installs it), where a missing one fails startHaproxy instead of skipping.
 */
export function haproxyWanted(): boolean {
  return existsSync(HAPROXY) || process.env.CI === 'true';
}

/** The one ```haproxy block of README.md ("Running several nodes"), as an operator pastes it. */
export function readmeHaproxyConfig(): string {
  // HAProxy wants the last line ended.
  return `${readmeBlock('haproxy')}\n`;
}

/** Where a configuration's frontends listen and its servers are, for a run on loopback ports. */
export interface HaproxyLayout {
  /** One loopback port per `bind` line, in their order. */
  readonly binds: readonly number[];
  /** One loopback port per `server` line, in their order. */
  readonly servers: readonly number[];
  /** The stats socket's path. */
  readonly socket: string;
  /** Health-check interval replacing the configuration's `inter` (e.g. `500ms`); kept if absent. */
  readonly inter?: string;
  /** Lines added to each frontend (a test's own log captures). */
  readonly frontendLines?: readonly string[];
}

/**
 * A configuration rewritten for a test: `bind` and `server` addresses to loopback ports, the
 * stats socket into the test's folder, the check interval if asked; nothing else changes.
 */
export function rewriteHaproxyConfig(config: string, layout: HaproxyLayout): string {
  let bind = 0;
  let server = 0;
  const count = (kind: string, found: number, wanted: number) => {
    if (found !== wanted) {
      throw new Error(`the configuration has ${found} ${kind} lines, the layout ${wanted}`);
    }
  };
  const text = config
    .replace(/^(\s*)bind\s+\S+/gm, (_m, indent: string) => {
      const port = layout.binds[bind++];
      return `${indent}bind 127.0.0.1:${port}`;
    })
    .replace(/^(\s*)server\s+(\S+)\s+\S+/gm, (_m, indent: string, name: string) => {
      const port = layout.servers[server++];
      return `${indent}server ${name} 127.0.0.1:${port}`;
    })
    .replace(/^(\s*)stats socket\s+\S+/gm, (_m, indent: string) => {
      return `${indent}stats socket ${layout.socket}`;
    })
    .replace(/\binter\s+\S+/g, (m) => (layout.inter ? `inter ${layout.inter}` : m))
    .replace(/^(frontend\s+\S+.*)$/gm, (line: string) =>
      [line, ...(layout.frontendLines ?? []).map((l) => `    ${l}`)].join('\n'),
    );
  count('bind', bind, layout.binds.length);
  count('server', server, layout.servers.length);
  return text;
}

/** One server's line of `show stat`: its name, status (`UP`, `DOWN`, `UP 1/2`…) and last check. */
export interface ServerState {
  readonly name: string;
  readonly status: string;
  /** The last health check's outcome (`L7OK` when it answered what `http-check expect` wants). */
  readonly check: string;
}

export interface RunningHaproxy {
  /** The port of each `bind` line, in their order. */
  readonly binds: readonly number[];
  /** Every log line written so far (`log stdout`, one request per line with `option httplog`). */
  logLines(): string[];
  /** The backend's servers as HAProxy sees them now (the stats socket's `show stat`). */
  servers(): Promise<ServerState[]>;
  stop(): Promise<void>;
}

/** Sends one command to the stats socket; resolves with the whole answer. */
function statsCommand(socket: string, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(socket);
    let text = '';
    s.setEncoding('utf8');
    s.on('data', (c: string) => (text += c));
    s.on('end', () => resolve(text));
    s.on('error', reject);
    s.on('connect', () => s.write(`${command}\n`));
  });
}

/**
 * Starts Debian's haproxy in the foreground (`-f cfg -db`), unprivileged, from `config`
 * rewritten to loopback ports (rewriteHaproxyConfig), its `servers` at the given ports. Its
 * log (stdout) goes to a file, where HAProxy writes it blocking: no line is dropped under load.
 * Fails (never skips) when haproxy is missing.
 */
export async function startHaproxy(
  config: string,
  servers: readonly number[],
  options: Pick<HaproxyLayout, 'inter' | 'frontendLines'> = {},
): Promise<RunningHaproxy> {
  if (!existsSync(HAPROXY)) {
    throw new Error(`${HAPROXY} is missing: apt-get install haproxy (.ci/run installs it)`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'pantry-haproxy-'));
  const bindCount = (config.match(/^\s*bind\s/gm) ?? []).length;
  const binds = await Promise.all(Array.from({ length: bindCount }, () => freePort()));
  const socket = join(dir, 'admin.sock');
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, rewriteHaproxyConfig(config, { binds, servers, socket, ...options }));
  const check = spawnSync(HAPROXY, ['-c', '-q', '-f', file], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`haproxy -c failed:\n${check.stdout}${check.stderr}`);
  const logFile = join(dir, 'haproxy.log');
  const logFd = openSync(logFile, 'w');
  const child: ChildProcess = spawn(HAPROXY, ['-f', file, '-db'], {
    stdio: ['ignore', logFd, 'pipe'],
  });
  closeSync(logFd);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 10_000;
  for (const port of binds) {
    for (;;) {
      if (await accepts(port)) break;
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill('SIGKILL');
        rmSync(dir, { recursive: true, force: true });
        throw new Error(`haproxy did not start:\n${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    binds,
    logLines: () =>
      readFileSync(logFile, 'utf8')
        .split('\n')
        .filter((l) => l !== ''),
    servers: async () => {
      const [header, ...rows] = (await statsCommand(socket, 'show stat'))
        .split('\n')
        .filter((l) => l !== '');
      const columns = header.replace(/^#\s*/, '').split(',');
      const at = (name: string) => columns.indexOf(name);
      return rows
        .map((r) => r.split(','))
        .filter((c) => c[at('svname')] !== 'FRONTEND' && c[at('svname')] !== 'BACKEND')
        .map((c) => ({
          name: c[at('svname')],
          status: c[at('status')],
          check: c[at('check_status')],
        }));
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
