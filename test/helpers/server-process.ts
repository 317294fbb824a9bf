import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

export interface ServerProcess {
  readonly child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the base URL once the server listens. */
  readonly listening: Promise<string>;
  /** Resolves with the exit code, or the signal that ended the process. */
  readonly exited: Promise<number | string>;
  /** Sends SIGTERM (and SIGCONT, should a test have paused it); resolves as `exited`. */
  stop(): Promise<number | string>;
}

/**
 * Starts `src/main.ts` as a real process (ts-node, transpile only), as `npm start` would; in
 * the repository, or in another working directory (`cwd`).
 */
export function startServerProcess(
  env: Record<string, string>,
  options: { cwd?: string } = {},
): ServerProcess {
  const child = spawn(
    process.execPath,
    [
      '-r',
      join(ROOT, 'node_modules', 'ts-node', 'register', 'transpile-only'),
      join(ROOT, 'src', 'main.ts'),
    ],
    {
      cwd: options.cwd ?? ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        NO_COLOR: '1',
        PORT: '0',
        TS_NODE_PROJECT: join(ROOT, 'tsconfig.json'),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  let onOutput = () => {};
  const append = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    onOutput();
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  const listening = new Promise<string>((resolve, reject) => {
    onOutput = () => {
      const m = /listening on (http:\/\/[^\s"]+)/.exec(output);
      if (m) resolve(m[1]);
    };
    void exited.then((code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });
  listening.catch(() => {});
  return {
    child,
    output: () => output,
    listening,
    exited,
    stop: () => {
      child.kill('SIGTERM');
      // A process a test paused (SIGSTOP) acts on the signal once it runs again.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGCONT');
      return exited;
    },
  };
}
