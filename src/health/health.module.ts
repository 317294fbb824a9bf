import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseModule } from '../database/database.module';
import { DrainingModule } from '../common/draining';
import { TenantsModule } from '../tenants/tenants.module';
import { HealthController } from './health.controller';
import { HealthProbeEntity } from './health-probe.entity';
import { HealthService } from './health.service';

@Module({
  imports: [
    TypeOrmModule.forFeature([HealthProbeEntity]),
    TenantsModule,
    DatabaseModule,
    DrainingModule,
  ],
  controllers: [HealthController],
  providers: [HealthService],
})
export class HealthModule {}
