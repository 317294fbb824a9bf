import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A throwaway PostgreSQL cluster for the tests: initdb into a temp folder, its own port, owned
 * by the `postgres` user when the tests run as root (PostgreSQL refuses to run as root).
 */
export interface TestCluster {
  readonly port: number;
  readonly dir: string;
  /** `postgres://postgres@127.0.0.1:PORT` (trust authentication, loopback only). */
  readonly url: string;
}

/** Whether the e2e suites run on PostgreSQL too: always under CI, else on request. */
export function postgresWanted(): boolean {
  return process.env.CI === 'true' || process.env.PANTRY_TEST_POSTGRES === '1';
}

/** The server binaries of the newest installed PostgreSQL, or null. */
export function postgresBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(root, versions[0], 'bin') : null;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Runs a PostgreSQL binary, as `postgres` when we are root. */
function run(bin: string, args: string[]): { status: number | null; output: string } {
  const result = asRoot
    ? spawnSync('runuser', ['-u', 'postgres', '--', bin, ...args], { encoding: 'utf8' })
    : spawnSync(bin, args, { encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

export async function startCluster(): Promise<TestCluster> {
  const bin = postgresBin();
  if (!bin) {
    throw new Error('PostgreSQL is not installed: apt-get install postgresql (.ci/run does)');
  }
  const dir = mkdtempSync(join(tmpdir(), 'pantry-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const port = await freePort();
  const init = run(join(bin, 'initdb'), [
    '-A',
    'trust',
    '-U',
    'postgres',
    '-D',
    data,
    '-E',
    'UTF8',
  ]);
  if (init.status !== 0) throw new Error(`initdb failed:\n${init.output}`);
  const start = run(join(bin, 'pg_ctl'), [
    '-D',
    data,
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=300`,
    '-l',
    join(dir, 'log'),
    '-w',
    'start',
  ]);
  if (start.status !== 0) throw new Error(`pg_ctl start failed:\n${start.output}`);
  return { port, dir, url: `postgres://postgres@127.0.0.1:${port}` };
}

/** Stops the cluster (`fast`: connections are ended) and removes it. */
export function stopCluster(cluster: Pick<TestCluster, 'dir'>): void {
  const bin = postgresBin();
  if (bin) run(join(bin, 'pg_ctl'), ['-D', join(cluster.dir, 'data'), '-m', 'fast', '-w', 'stop']);
  rmSync(cluster.dir, { recursive: true, force: true });
}

/** Stops or starts the cluster's server, keeping its data (for outage tests). */
export function pgCtl(clusterDir: string, action: 'stop' | 'start', port: number): void {
  const bin = postgresBin()!;
  const args =
    action === 'stop'
      ? ['-D', join(clusterDir, 'data'), '-m', 'fast', '-w', 'stop']
      : [
          '-D',
          join(clusterDir, 'data'),
          '-o',
          `-p ${port} -k ${clusterDir} -c listen_addresses=127.0.0.1 -c max_connections=300`,
          '-l',
          join(clusterDir, 'log'),
          '-w',
          'start',
        ];
  const result = run(join(bin, 'pg_ctl'), args);
  if (result.status !== 0) throw new Error(`pg_ctl ${action} failed:\n${result.output}`);
}

let counter = 0;

/** Creates a fresh database in the test cluster; returns its URL. */
export function createTestDatabase(clusterUrl: string): string {
  const name = `pantry_${process.pid}_${Date.now().toString(36)}_${++counter}`;
  const { port } = new URL(clusterUrl);
  const bin = postgresBin();
  const createdb = bin ? join(bin, 'createdb') : 'createdb';
  const result = spawnSync(createdb, ['-h', '127.0.0.1', '-p', port, '-U', 'postgres', name], {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`createdb failed: ${result.stderr}`);
  return `${clusterUrl}/${name}`;
}
