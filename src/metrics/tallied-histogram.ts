import type { Counter, Metric, MetricValueWithName, Registry } from 'prom-client';

/** Buckets from 0.1 ms to 5 s: the visitor API answers in well under a millisecond. */
export const LATENCY_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
];

export interface Tally {
  readonly labels: Record<string, string>;
  n: number;
}

/** Label sets a tallied metric keeps: its inputs are templates and fixed lists, so a guard. */
const MAX_TALLIES = 10_000;

/** Counts one more under `key`, whose labels are built once; bounded by MAX_TALLIES. */
export function tally(
  map: Map<string, Tally>,
  key: string,
  labels: () => Record<string, string>,
): void {
  let t = map.get(key);
  if (!t) {
    if (map.size >= MAX_TALLIES) return;
    t = { labels: labels(), n: 0 };
    map.set(key, t);
  }
  t.n++;
}

/** A counter's `collect`: its values set from the tallies when scraped. */
export function collectTallies(map: ReadonlyMap<string, Tally>) {
  return function (this: Counter<string>): void {
    this.reset();
    for (const t of map.values()) this.inc(t.labels, t.n);
  };
}

export interface RequestTally extends Tally {
  sum: number;
  /** Observations per bucket (not cumulative); beyond the last bound only in n. */
  readonly buckets: Float64Array;
}

/**
 * The latency histogram, built from the tallies when scraped. prom-client has no public way to
 * set a histogram's buckets, so this is a metric of its own that answers `get()` (the shape
 * every prom-client metric exports: cumulative `_bucket` values per `le`, `_sum`, `_count`)
 * instead of writing a Histogram's private state.
 */
export class TalliedHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly tallies: ReadonlyMap<string, RequestTally>,
    registry: Registry,
  ) {
    registry.registerMetric(this as unknown as Metric);
  }

  /** What the registry reads, in the shape prom-client's own histograms answer. */
  get() {
    const values: MetricValueWithName<string>[] = [];
    for (const t of this.tallies.values()) {
      let cumulative = 0;
      LATENCY_BUCKETS.forEach((le, i) => {
        cumulative += t.buckets[i];
        values.push({
          metricName: `${this.name}_bucket`,
          labels: { le, ...t.labels },
          value: cumulative,
        });
      });
      values.push(
        { metricName: `${this.name}_bucket`, labels: { le: '+Inf', ...t.labels }, value: t.n },
        { metricName: `${this.name}_sum`, labels: t.labels, value: t.sum },
        { metricName: `${this.name}_count`, labels: t.labels, value: t.n },
      );
    }
    const { name, help, type, aggregator } = this;
    return Promise.resolve({ name, help, type, aggregator, values });
  }
}
