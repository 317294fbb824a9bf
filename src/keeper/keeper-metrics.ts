import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service';

export type KeeperCount = 'kept' | 'restored' | 'derived';

/** Label sets kept: adapters and outcomes are fixed lists, accounts are bounded here too. */
const MAX_SERIES = 10_000;

/**
 * `pantry_keeper_cookies_total{adapter, outcome, account}` (SPEC §14), in Pantry's registry.
 * The request path adds to plain numbers (as the cookie counter does); they are handed to
 * prom-client when scraped. Nothing counts with metrics disabled; `account` is `-` unless
 * `server.metricsPerAccount` (the caller's label).
 */
@Injectable()
export class KeeperMetrics {
  private readonly tallies = new Map<string, { labels: Record<string, string>; n: number }>();
  private readonly enabled: boolean;

  constructor(metrics: MetricsService) {
    this.enabled = metrics.enabled;
    if (!this.enabled) return;
    const tallies = this.tallies;
    new Counter({
      name: 'pantry_keeper_cookies_total',
      help: 'Cookie keeper: analytics id cookies refreshed (kept), restored and derived, by adapter',
      labelNames: ['adapter', 'outcome', 'account'] as const,
      registers: [metrics.registry],
      collect(this: Counter<string>) {
        this.reset();
        for (const t of tallies.values()) this.inc(t.labels, t.n);
      },
    });
  }

  /** A kept cookie set: `adapter` as configured (`cookie` for every `cookie:<name>`). */
  count(adapter: string, outcome: KeeperCount, account: string): void {
    if (!this.enabled) return;
    const label = adapter.startsWith('cookie:') ? 'cookie' : adapter;
    const key = `${label}\u0000${outcome}\u0000${account}`;
    let t = this.tallies.get(key);
    if (!t) {
      if (this.tallies.size >= MAX_SERIES) return;
      t = { labels: { adapter: label, outcome, account }, n: 0 };
      this.tallies.set(key, t);
    }
    t.n++;
  }
}
