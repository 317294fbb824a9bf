/** One complete second of a node's answers, as GET /admin/v1/status lists them. */
export interface Second {
  readonly at: string;
  readonly requests: number;
  readonly refusals: number;
  readonly errors: number;
}

export interface Minute {
  /** The minute's start, `HH:MM` in UTC. */
  readonly minute: string;
  readonly seconds: number;
  readonly requests: number;
  readonly refusals: number;
  readonly errors: number;
}

const rate = (n: number, seconds: number) => Math.round((n / seconds) * 100) / 100;

/**
 * The per-second tallies as answers per second in each minute (the status page's table), newest
 * minute first; a minute the node saw only part of is averaged over the seconds it saw.
 */
export function perMinute(seconds: readonly Second[]): Minute[] {
  const minutes = new Map<
    string,
    { seconds: number; requests: number; refusals: number; errors: number }
  >();
  for (const s of seconds) {
    const at = new Date(s.at);
    if (Number.isNaN(at.getTime())) continue;
    const key = at.toISOString().slice(11, 16);
    const m = minutes.get(key) ?? { seconds: 0, requests: 0, refusals: 0, errors: 0 };
    m.seconds += 1;
    m.requests += s.requests;
    m.refusals += s.refusals;
    m.errors += s.errors;
    minutes.set(key, m);
  }
  return [...minutes.entries()]
    .sort(([a], [b]) => (a < b ? 1 : -1))
    .map(([minute, m]) => ({
      minute,
      seconds: m.seconds,
      requests: rate(m.requests, m.seconds),
      refusals: rate(m.refusals, m.seconds),
      errors: rate(m.errors, m.seconds),
    }));
}
