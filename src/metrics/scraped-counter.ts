import { Counter, Registry } from 'prom-client';

/** One value of a counter at scrape time: its labels and count. */
export type ScrapedValue = readonly [labels: Record<string, string>, count: number];

/**
 * A counter whose values live in the caller's own tallies (plain numbers, cheap on the request
 * path) and are handed to prom-client only when `/metrics` is scraped.
 */
export function scrapedCounter(
  registry: Registry,
  config: { name: string; help: string; labelNames: readonly string[] },
  values: () => Iterable<ScrapedValue>,
): Counter<string> {
  return new Counter({
    ...config,
    registers: [registry],
    collect(this: Counter<string>) {
      this.reset();
      for (const [labels, count] of values()) if (count > 0) this.inc(labels, count);
    },
  });
}
