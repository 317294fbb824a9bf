/**
 * How the drain (`server.drainSeconds`) fits in the grace (`server.shutdownTimeoutSeconds`):
 * the drain is the first part of the grace, and at least AFTER_DRAIN_SECONDS must remain after
 * it for the requests still in flight, the last flush of sightings and kept cookies, and
 * closing the database. Pure: the configuration check and the shutdown (http/shutdown.ts) read it.
 */
export const AFTER_DRAIN_SECONDS = 2;

/** The longest drain a grace of `graceSeconds` allows. */
export function longestDrain(graceSeconds: number): number {
  return Math.max(0, graceSeconds - AFTER_DRAIN_SECONDS);
}

/** What is wrong with a drain that does not fit in the grace, in words an operator acts on; null when it fits. */
export function drainProblem(drainSeconds: number, graceSeconds: number): string | null {
  if (drainSeconds <= longestDrain(graceSeconds)) return null;
  const left = graceSeconds - drainSeconds;
  return (
    `a drain of ${drainSeconds} s leaves ${left > 0 ? `${left} s` : 'nothing'} of ` +
    `server.shutdownTimeoutSeconds (${graceSeconds} s) for the requests in flight and the last ` +
    `flush, which need at least ${AFTER_DRAIN_SECONDS} s: set at most ` +
    `${longestDrain(graceSeconds)}, or raise server.shutdownTimeoutSeconds to at least ` +
    `${drainSeconds + AFTER_DRAIN_SECONDS}`
  );
}

/**
 * The drain a node applies. A drain the operator set always fits (drainProblem refuses the
 * others at load); the default is shortened to fit a grace shorter than it needs, so that a
 * configuration with a short grace keeps starting. `shortened` says it was.
 */
export function effectiveDrain(
  drainSeconds: number,
  graceSeconds: number,
): { seconds: number; shortened: boolean } {
  const seconds = Math.min(drainSeconds, longestDrain(graceSeconds));
  return { seconds, shortened: seconds < drainSeconds };
}
