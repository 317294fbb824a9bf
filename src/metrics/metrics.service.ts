import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { ConfigurationService } from '../properties/configuration.service';
import { eachSecond, PerSecondCounts } from './per-second';
import {
  collectTallies,
  LATENCY_BUCKETS,
  RequestTally,
  tally,
  TalliedHistogram,
  Tally,
} from './tallied-histogram';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

import type { BridgeOutcome } from '../vocabulary/bridge-outcomes';
import { COOKIE_KINDS, CookieKind } from '../vocabulary/cookie-catalog';

/** Cookie outcomes, a fixed list (label values never come from requests): action and reason. */
const COOKIE_OUTCOMES = {
  issued: ['issued', 'new'],
  deleted: ['deleted', 'refused'],
  resent: ['refreshed', 'durable'],
  resigned: ['refreshed', 'resigned'],
  invalid: ['rejected', 'invalid'],
  erased: ['rejected', 'erased'],
} as const;
export type CookieOutcome = keyof typeof COOKIE_OUTCOMES;
const OUTCOMES = Object.keys(COOKIE_OUTCOMES) as CookieOutcome[];
const OUTCOME_INDEX = new Map(OUTCOMES.map((o, i) => [o, i]));
const KIND_INDEX = new Map<string, number>(COOKIE_KINDS.map((k, i) => [k, i]));

/** One route and method's answers: per status, a count, a sum and latency buckets. */
export class RouteSeries {
  private readonly byStatus = new Map<number, RequestTally>();

  constructor(
    private readonly route: string,
    private readonly method: string,
    private readonly all: Map<string, RequestTally>,
    private readonly perSecond: PerSecondCounts,
  ) {}

  /** An answer: its status and how long it took, in seconds. */
  observe(status: number, seconds: number): void {
    this.perSecond.count(status);
    let tally = this.byStatus.get(status);
    if (!tally) {
      if (this.all.size >= MAX_SERIES) return;
      tally = {
        labels: { route: this.route, method: this.method, status: String(status) },
        n: 0,
        sum: 0,
        buckets: new Float64Array(LATENCY_BUCKETS.length),
      };
      this.byStatus.set(status, tally);
      this.all.set(`${this.route} ${this.method} ${status}`, tally);
    }
    tally.n++;
    tally.sum += seconds;
    let i = 0;
    while (i < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[i]) i++;
    if (i < LATENCY_BUCKETS.length) tally.buckets[i]++;
  }
}

/** The series handed out while metrics are disabled: it records nothing. */
const UNCOUNTED = new (class extends RouteSeries {
  override observe(): void {}
})('', '', new Map(), new PerSecondCounts(1, 0));

/**
 * Pantry's Prometheus metrics (SPEC §12), in one registry with the process and Node defaults.
 * Label values come from fixed lists or route templates; never a visitor id, cookie value,
 * customer id or token. Accounts are a label only where `server.metricsPerAccount` says so
 * (the callers pass `-` otherwise).
 */
@Injectable()
export class MetricsService implements OnModuleDestroy {
  readonly registry = new Registry();

  /** Answers per second over the last five minutes, for the console's status (SPEC §17). */
  readonly perSecond = new PerSecondCounts(STATUS_SECONDS + 1, Date.now());
  private stopClock: () => void = () => {};

  /*
   * The request path only adds to plain numbers, found without building a key: per route a
   * RouteSeries (captured when the route is registered), per account label an array of cookie
   * outcomes. prom-client's labelled metrics hash their label set on every inc/observe, which
   * cost the visitor API more than the 5% its metrics may. The numbers are handed to
   * prom-client when /metrics is scraped (collect).
   */
  private readonly requestTallies = new Map<string, RequestTally>();
  private readonly routes = new Map<string, RouteSeries>();
  /** Per account label: counts indexed by kind × outcome. */
  private readonly cookieCounts = new Map<string, Float64Array>();
  private readonly refusalTallies = new Map<string, Tally>();

  readonly requests = new Counter({
    name: 'pantry_http_requests_total',
    help: 'HTTP requests answered, by route template, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
    collect: collectTallies(this.requestTallies),
  });

  readonly latency = new TalliedHistogram(
    'pantry_http_request_duration_seconds',
    'Time to answer, by route template, method and status',
    this.requestTallies,
    this.registry,
  );

  readonly cookies = new Counter({
    name: 'pantry_cookies_total',
    help: 'Cookies issued, refreshed, deleted, and values rejected, by cookie kind and reason',
    labelNames: ['kind', 'action', 'reason', 'account'] as const,
    registers: [this.registry],
    collect: collectCookies(this.cookieCounts),
  });

  readonly originRefusals = new Counter({
    name: 'pantry_origin_refusals_total',
    help: 'Visitor API requests refused because their Origin is not allowed',
    labelNames: ['account'] as const,
    registers: [this.registry],
    collect: collectTallies(this.refusalTallies),
  });

  readonly flushLatency = new Histogram({
    name: 'pantry_registry_flush_duration_seconds',
    help: 'Time to write one batch of visitor sightings',
    labelNames: ['result'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly queueDepth = new Gauge({
    name: 'pantry_registry_queue_depth',
    help: 'Visitor sightings waiting to be written',
    registers: [this.registry],
  });

  readonly droppedSightings = new Gauge({
    name: 'pantry_registry_dropped_sightings_total',
    help: 'Sightings dropped because the queue was full (the database was away too long)',
    registers: [this.registry],
  });

  readonly reloads = new Counter({
    name: 'pantry_config_reloads_total',
    help: 'Configuration reloads, by result',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly bridges = new Counter({
    name: 'pantry_bridge_total',
    help: 'Cross-domain bridge tokens issued and redemption outcomes',
    labelNames: ['outcome', 'account'] as const,
    registers: [this.registry],
  });

  /** A bridge outcome (a fixed list: BRIDGE_FAILURES, `issued`, `bridged`). */
  bridge(outcome: BridgeOutcome, account: string): void {
    this.bridges.inc({ outcome, account });
  }

  readonly logins = new Counter({
    name: 'pantry_login_total',
    help: 'Login and logout outcomes',
    labelNames: ['outcome', 'account'] as const,
    registers: [this.registry],
  });

  readonly upstreamLatency = new Histogram({
    name: 'pantry_proxy_upstream_duration_seconds',
    help: 'Document mode: time to the upstream response headers',
    labelNames: ['status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly upstreamErrors = new Counter({
    name: 'pantry_proxy_upstream_errors_total',
    help: 'Document mode: upstream failures, by error code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  /** `server.metricsEnabled`: when false nothing is served and nothing counts. */
  readonly enabled: boolean;

  constructor(configuration: ConfigurationService) {
    this.enabled = configuration.startup['server.metricsEnabled'];
    if (this.enabled) {
      collectDefaultMetrics({ register: this.registry, prefix: 'pantry_' });
      this.stopClock = eachSecond(() => this.perSecond.tick(Date.now()));
      configuration.reloadResults.subscribe((result) => this.reloads.inc({ result }));
    } else {
      // Callers record on the metrics themselves (logins, bridges, the registry's gauges...):
      // disabled, each of them records nothing.
      for (const metric of this.registry.getMetricsAsArray()) silence(metric);
    }
  }

  onModuleDestroy(): void {
    this.stopClock();
  }

  /**
   * The series of a route template (never a raw URL) and method, to observe answers on. A
   * method outside the known set counts as `other`: clients choose it (Node parses 34 and
   * more), and each would be a series of its own.
   */
  series(route: string, method: string): RouteSeries {
    if (!this.enabled) return UNCOUNTED;
    method = METHODS.has(method) ? method : 'other';
    const key = `${route} ${method}`;
    let series = this.routes.get(key);
    if (!series) {
      series = new RouteSeries(route, method, this.requestTallies, this.perSecond);
      if (this.routes.size < MAX_SERIES) this.routes.set(key, series);
    }
    return series;
  }

  /** A request answered: its route template (never the raw URL), method, status, duration. */
  observeRequest(route: string, method: string, status: number, seconds: number): void {
    if (!this.enabled) return;
    this.series(route, method).observe(status, seconds);
  }

  /** A cookie outcome (kinds and outcomes are fixed lists). */
  cookie(kind: CookieKind, outcome: CookieOutcome, account: string): void {
    if (!this.enabled) return;
    let counts = this.cookieCounts.get(account);
    if (!counts) {
      if (this.cookieCounts.size >= MAX_SERIES) return;
      counts = new Float64Array(COOKIE_KINDS.length * OUTCOMES.length);
      this.cookieCounts.set(account, counts);
    }
    counts[KIND_INDEX.get(kind)! * OUTCOMES.length + OUTCOME_INDEX.get(outcome)!]++;
  }

  /** A visitor API request refused for its Origin. */
  originRefused(account: string): void {
    if (!this.enabled) return;
    tally(this.refusalTallies, account, () => ({ account }));
  }
}

/** How far back the console's status looks: five minutes of seconds. */
export const STATUS_SECONDS = 300;

/** Methods counted by name; every other is `other`. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Label sets kept per metric: the inputs are templates and fixed lists, so this is a guard. */
const MAX_SERIES = 10_000;

/** The cookie counter's values, set from the per-account arrays when scraped. */
function collectCookies(map: ReadonlyMap<string, Float64Array>) {
  return function (this: Counter<string>): void {
    this.reset();
    for (const [account, counts] of map) {
      counts.forEach((n, i) => {
        if (n === 0) return;
        const [action, reason] = COOKIE_OUTCOMES[OUTCOMES[i % OUTCOMES.length]];
        const kind = COOKIE_KINDS[Math.floor(i / OUTCOMES.length)];
        this.inc({ kind, action, reason, account }, n);
      });
    }
  };
}

/** How a prom-client metric records a value; each is made a no-op when metrics are disabled. */
const RECORDERS = ['inc', 'dec', 'set', 'observe'] as const;

function silence(metric: object): void {
  for (const name of RECORDERS) {
    if (name in metric) Object.defineProperty(metric, name, { value: () => {} });
  }
}
