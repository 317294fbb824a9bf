import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service';
import { collectTallies, tally, Tally } from '../metrics/tallied-histogram';
import type { ConsentSource } from '../vocabulary/consent';
import type { SignalOutcome } from './consent-signal';

/**
 * `pantry_consent_signals_total{source, outcome, account}` (SPEC §15): the CMP signals read on
 * visitor requests — `granted`, `denied`, `not_applicable` (TCF's gdprApplies false), `invalid`
 * (a TC string that does not decode), `default` (a Consent Mode default). Plain tallies on the
 * request path (as the origin refusals count), handed to prom-client when scraped; nothing
 * counts with metrics disabled.
 */
@Injectable()
export class ConsentMetrics {
  private readonly tallies = new Map<string, Tally>();
  private readonly enabled: boolean;

  constructor(metrics: MetricsService) {
    this.enabled = metrics.enabled;
    if (!this.enabled) return;
    new Counter({
      name: 'pantry_consent_signals_total',
      help: 'Consent signals of the sites’ CMPs read on visitor requests, by source and outcome',
      labelNames: ['source', 'outcome', 'account'] as const,
      registers: [metrics.registry],
      collect: collectTallies(this.tallies),
    });
  }

  count(source: ConsentSource, outcome: SignalOutcome, account: string): void {
    if (!this.enabled) return;
    tally(this.tallies, `${source}\u0000${outcome}\u0000${account}`, () => ({
      source,
      outcome,
      account,
    }));
  }
}
