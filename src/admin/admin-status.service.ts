import { Injectable } from '@nestjs/common';
import { version } from '../common/version';
import { Draining } from '../common/draining';
import { ChangeFeed } from '../database/change-feed';
import { readinessProblems } from '../database/readiness';
import { UnitOfWork } from '../database/unit-of-work';
import { MetricsService, STATUS_SECONDS } from '../metrics/metrics.service';
import type { StatusDto } from './dto/status.dto';

/** Seconds of each average the status gives. */
const AVERAGES = [60, STATUS_SECONDS] as const;

/**
 * The console's status page (SPEC §17): this node's readiness (what /health/ready checks),
 * its version, and its own answers per second over the last five minutes (metrics/per-second.ts;
 * none while `server.metricsEnabled=false`, which counts nothing).
 */
@Injectable()
export class AdminStatusService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly feed: ChangeFeed,
    private readonly metrics: MetricsService,
    private readonly draining: Draining,
  ) {}

  async status(): Promise<StatusDto> {
    const stopping = this.draining.problem();
    const problems = stopping ? [stopping] : await readinessProblems(this.uow, this.feed);
    const seconds = this.metrics.enabled ? this.metrics.perSecond.snapshot(Date.now()) : [];
    const averages = AVERAGES.map((window) => {
      const last = seconds.slice(-window);
      const per = (pick: (s: (typeof seconds)[number]) => number) =>
        last.length === 0 ? 0 : last.reduce((sum, s) => sum + pick(s), 0) / last.length;
      return {
        seconds: last.length,
        requests: per((s) => s.requests),
        refusals: per((s) => s.refusals),
        errors: per((s) => s.errors),
      };
    });
    return {
      ready: problems.length === 0,
      problems,
      version: version(),
      uptimeSeconds: Math.round(process.uptime()),
      counting: this.metrics.enabled,
      averages,
      perSecond: seconds.map((s) => ({ ...s, at: new Date(s.at * 1000).toISOString() })),
    };
  }
}
