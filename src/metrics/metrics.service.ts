import { Injectable } from '@nestjs/common';
import { ConfigurationService } from '../properties/configuration.service';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Buckets from 0.1 ms to 5 s: the visitor API answers in well under a millisecond. */
const LATENCY_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
];

/** Cookie outcomes, a fixed list (label values never come from requests). */
export type CookieAction = 'issued' | 'refreshed' | 'deleted' | 'rejected';

/**
 * Pantry's Prometheus metrics (SPEC §12), in one registry with the process and Node defaults.
 * Label values come from fixed lists or route templates; never a visitor id, cookie value,
 * customer id or token. Accounts are a label only where `server.metricsPerAccount` says so
 * (the callers pass `-` otherwise).
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly requests = new Counter({
    name: 'pantry_http_requests_total',
    help: 'HTTP requests answered, by route template, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });

  readonly latency = new Histogram({
    name: 'pantry_http_request_duration_seconds',
    help: 'Time to answer, by route template, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  readonly cookies = new Counter({
    name: 'pantry_cookies_total',
    help: 'Cookies issued, refreshed, deleted, and values rejected, by cookie kind and reason',
    labelNames: ['kind', 'action', 'reason', 'account'] as const,
    registers: [this.registry],
  });

  readonly originRefusals = new Counter({
    name: 'pantry_origin_refusals_total',
    help: 'Visitor API requests refused because their Origin is not allowed',
    labelNames: ['account'] as const,
    registers: [this.registry],
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

  /** `server.metricsEnabled`: when false nothing is served and the request path counts nothing. */
  readonly enabled: boolean;

  constructor(configuration: ConfigurationService) {
    this.enabled = configuration.startup['server.metricsEnabled'];
    if (this.enabled) collectDefaultMetrics({ register: this.registry, prefix: 'pantry_' });
    configuration.reloadResults.subscribe((result) => this.reloads.inc({ result }));
  }

  private readonly requestChildren = new Map<
    string,
    { count: { inc(): void }; time: { observe(v: number): void } }
  >();
  private readonly cookieChildren = new Map<string, { inc(): void }>();

  /** A request answered: its route template (never the raw URL), method, status, duration. */
  observeRequest(route: string, method: string, status: number, seconds: number): void {
    // Children cached per label set: the hot path does a map lookup, not a label hash.
    const key = `${route} ${method} ${status}`;
    let child = this.requestChildren.get(key);
    if (!child) {
      const labels = { route, method, status: String(status) };
      child = { count: this.requests.labels(labels), time: this.latency.labels(labels) };
      if (this.requestChildren.size < 1000) this.requestChildren.set(key, child);
    }
    child.count.inc();
    child.time.observe(seconds);
  }

  /** A cookie outcome (kinds and reasons are fixed lists). */
  cookie(kind: string, action: CookieAction, reason: string, account: string): void {
    if (!this.enabled) return;
    const key = `${kind} ${action} ${reason} ${account}`;
    let child = this.cookieChildren.get(key);
    if (!child) {
      child = this.cookies.labels({ kind, action, reason, account });
      if (this.cookieChildren.size < 100_000) this.cookieChildren.set(key, child);
    }
    child.inc();
  }
}
