/**
 * A node's last flush of a write-behind queue (visitor sightings, kept cookies), tried again a
 * moment later while a batch still fails: a deadlock with another node's flush, a connection
 * the database reset. Each try puts a failed batch back in the queue (the services' flush).
 * Bounded by `tries`, and by the shutdown grace around it all (http/shutdown.ts), which ends
 * the process whatever is still running. Resolves with how many entries are still unwritten.
 */
export async function flushAtShutdown(
  flush: () => Promise<void>,
  unwritten: () => number,
  tries = 3,
  pauseMs = 200,
): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    await flush();
    if (unwritten() === 0 || attempt >= tries) return unwritten();
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
}
