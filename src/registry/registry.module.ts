import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseModule } from '../database/database.module';
import { Erasure } from '../database/erasure';
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
export class RegistryModule implements OnModuleInit {
  constructor(private readonly erasure: Erasure) {}

  onModuleInit(): void {
    this.erasure.register<VisitorEntity>({
      entity: VisitorEntity,
      account: 'accountId',
      visitor: 'visitorId',
    });
    // An erasure writes erased ids (they refuse the cookies); only the account's deletion
    // removes them.
    this.erasure.register<ErasedIdEntity>({ entity: ErasedIdEntity, account: 'accountId' });
  }
}
