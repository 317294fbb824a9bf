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
}
