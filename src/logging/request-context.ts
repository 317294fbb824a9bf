/**
 * The request being answered, for the log lines written while answering it: set around the
 * synchronous code that writes them (the error mapping, an upstream failure, an authentication
 * block). Not an AsyncLocalStorage: on Node 20 one enabled store turns on async_hooks for the
 * whole process, and every later tick and promise of every request paid for it (about 8% of
 * identify's throughput, docs/BENCHMARKS.md).
 */
let current: string | undefined;

/** Runs `write` with `id` as the request id of the log lines it writes (synchronously). */
export function inRequest<T>(id: string, write: () => T): T {
  const outer = current;
  current = id;
  try {
    return write();
  } finally {
    current = outer;
  }
}

/** The id of the request whose lines are being written, if any. */
export function currentRequestId(): string | undefined {
  return current;
}
