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
  /** account label → adapter label → counts by outcome (kept, restored, derived). */
  private readonly tallies = new Map<string, Map<string, Float64Array>>();
  /** account label → adapter as configured → the same counts (found without building a label). */
  private readonly byAdapter = new Map<string, Map<string, Float64Array>>();
  private series = 0;
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
        for (const [account, adapters] of tallies) {
          for (const [adapter, counts] of adapters) {
            OUTCOMES.forEach((outcome, i) => {
              if (counts[i] > 0) this.inc({ adapter, outcome, account }, counts[i]);
            });
          }
        }
      },
    });
  }

  /** A kept cookie set: `adapter` as configured (`cookie` for every `cookie:<name>`). */
  count(adapter: string, outcome: KeeperCount, account: string): void {
    if (!this.enabled) return;
    let byAdapter = this.byAdapter.get(account);
    if (!byAdapter) {
      byAdapter = new Map();
      this.byAdapter.set(account, byAdapter);
    }
    let counts = byAdapter.get(adapter);
    if (!counts) {
      // Every `cookie:<name>` counts as `cookie`: operators' names are not labels.
      const label = adapter.startsWith('cookie:') ? 'cookie' : adapter;
      let byLabel = this.tallies.get(account);
      if (!byLabel) {
        byLabel = new Map();
        this.tallies.set(account, byLabel);
      }
      counts = byLabel.get(label);
      if (!counts) {
        if (this.series >= MAX_SERIES) return;
        this.series++;
        counts = new Float64Array(OUTCOMES.length);
        byLabel.set(label, counts);
      }
      byAdapter.set(adapter, counts);
    }
    counts[OUTCOME_INDEX[outcome]]++;
  }
}

const OUTCOMES: readonly KeeperCount[] = ['kept', 'restored', 'derived'];
const OUTCOME_INDEX: Readonly<Record<KeeperCount, number>> = { kept: 0, restored: 1, derived: 2 };
