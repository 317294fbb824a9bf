import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseModule } from '../database/database.module';
import { MetricsModule } from '../metrics/metrics.module';
import { ErasedIdEntity } from './erased-id.entity';
import { VisitorEntity } from './visitor.entity';
import { VisitorRegistryService } from './visitor-registry.service';
import { VisitorRepository } from './visitor.repository';

/** Visitors seen (written behind the request path) and erased ids. */
@Module({
  imports: [
    TypeOrmModule.forFeature([VisitorEntity, ErasedIdEntity]),
    DatabaseModule,
    MetricsModule,
  ],
  providers: [VisitorRegistryService, VisitorRepository],
  exports: [VisitorRegistryService, VisitorRepository],
})
export class RegistryModule {}
