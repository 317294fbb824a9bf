import { Injectable } from '@nestjs/common';
import { MetricsService } from '../metrics/metrics.service';
import { scrapedCounter } from '../metrics/scraped-counter';
import type { ConsentSource } from '../vocabulary/consent';
import type { SignalOutcome } from './consent-signal';

/** Label sets kept: sources and outcomes are fixed lists, accounts are bounded here too. */
const MAX_SERIES = 10_000;

/**
 * `pantry_consent_signals_total{source, outcome, account}` (SPEC §15): the CMP signals read on
 * visitor requests — `granted`, `denied`, `not_applicable` (TCF's gdprApplies false), `invalid`
 * (a TC string that does not decode), `default` (a Consent Mode default). Plain tallies on the
 * request path, handed to prom-client when scraped; nothing counts with metrics disabled.
 */
@Injectable()
export class ConsentMetrics {
  private readonly tallies = new Map<
    string,
    { source: ConsentSource; outcome: SignalOutcome; account: string; n: number }
  >();
  private readonly enabled: boolean;

  constructor(metrics: MetricsService) {
    this.enabled = metrics.enabled;
    if (!this.enabled) return;
    const tallies = this.tallies;
    scrapedCounter(
      metrics.registry,
      {
        name: 'pantry_consent_signals_total',
        help: 'Consent signals of the sites’ CMPs read on visitor requests, by source and outcome',
        labelNames: ['source', 'outcome', 'account'],
      },
      function* () {
        for (const { source, outcome, account, n } of tallies.values()) {
          yield [{ source, outcome, account }, n];
        }
      },
    );
  }

  count(source: ConsentSource, outcome: SignalOutcome, account: string): void {
    if (!this.enabled) return;
    const key = `${source}\u0000${outcome}\u0000${account}`;
    const tally = this.tallies.get(key);
    if (tally) tally.n++;
    else if (this.tallies.size < MAX_SERIES) {
      this.tallies.set(key, { source, outcome, account, n: 1 });
    }
  }
}
