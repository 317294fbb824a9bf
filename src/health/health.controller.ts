import { Controller, Get, HttpCode } from '@nestjs/common';
import { HealthService, HealthStatus } from './health.service';

@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @HttpCode(200)
  check(): Promise<HealthStatus> {
    return this.health.check();
  }

  /** Liveness: the process runs and answers (no dependency checked: restarting will not fix one). */
  @Get('live')
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: configuration loaded, database reachable, notifications heard on PostgreSQL. */
  @Get('ready')
  @HttpCode(200)
  ready() {
    return this.health.ready();
  }
}
