import { Injectable } from '@nestjs/common';
import { TenantService } from '../tenants/tenant.service';
import { ErrorCode, PantryError } from '../common/errors';
import { Draining } from '../common/draining';
import { describeDatabaseError } from '../database/database-errors';
import { readinessProblems } from '../database/readiness';
import { ChangeFeed } from '../database/change-feed';
import { isUnavailable, UnitOfWork } from '../database/unit-of-work';
import { HealthProbeEntity } from './health-probe.entity';

export interface HealthStatus {
  status: 'ok';
  database: 'ok';
  accounts: number;
  uptimeSeconds: number;
}

const PROBE_ROW = 1;

/**
 * Healthy once the configuration is loaded (it is, or the server would not run) and the
 * database takes writes: answering reads is not enough, since a database that cannot be
 * written loses every admin change and sighting. Each check commits one tiny write.
 */
@Injectable()
export class HealthService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly tenants: TenantService,
    private readonly feed: ChangeFeed,
    private readonly draining: Draining,
  ) {}

  /**
   * Readiness (SPEC §12): the configuration is loaded, the database answers, and on PostgreSQL
   * the change notifications are heard. A draining node (SPEC §18) is not ready, at once and
   * without asking the database, so a load balancer's next check takes it out.
   */
  async ready(): Promise<{ status: 'ready'; database: 'ok'; notifications: 'ok' | 'n/a' }> {
    this.refuseWhileDraining();
    const problems = await readinessProblems(this.uow, this.feed);
    if (problems.length > 0) {
      throw new PantryError(ErrorCode.NotReady, `Not ready: ${problems.join('; ')}.`);
    }
    return { status: 'ready', database: 'ok', notifications: this.feed.listens ? 'ok' : 'n/a' };
  }

  /** `/health` too: load balancers configured before `/health/ready` existed check it. */
  async check(): Promise<HealthStatus> {
    this.refuseWhileDraining();
    const problem = await this.databaseProblem();
    if (problem) {
      throw new PantryError(
        ErrorCode.DatabaseUnavailable,
        `The database cannot be written: ${problem}.`,
      );
    }
    return {
      status: 'ok',
      database: 'ok',
      accounts: this.tenants.count(),
      uptimeSeconds: Math.round(process.uptime()),
    };
  }

  private refuseWhileDraining(): void {
    const stopping = this.draining.problem();
    if (stopping) throw new PantryError(ErrorCode.Draining, `Not ready: ${stopping}.`);
  }

  private async databaseProblem(): Promise<string | null> {
    try {
      await this.uow.transaction((em) =>
        em
          .createQueryBuilder()
          .insert()
          .into(HealthProbeEntity)
          .values({ id: PROBE_ROW, checkedAt: Date.now() })
          .orUpdate(['checkedAt'], ['id'])
          .execute(),
      );
      return null;
    } catch (e) {
      if (isUnavailable(e)) return this.uow.fileProblem() ?? 'the write probe failed';
      return describeDatabaseError(e);
    }
  }
}
