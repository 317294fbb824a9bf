import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseModule } from '../database/database.module';
import { Erasure } from '../database/erasure';
import { MetricsModule } from '../metrics/metrics.module';
import { RegistryModule } from '../registry/registry.module';
import { KeptCookieEntity } from './kept-cookie.entity';
import { KeptCookieRepository } from './kept-cookie.repository';
import { KeeperMetrics } from './keeper-metrics';
import { KeeperService } from './keeper.service';

/** The cookie keeper's storage (used by the visitor and admin APIs). */
@Module({
  imports: [
    TypeOrmModule.forFeature([KeptCookieEntity]),
    DatabaseModule,
    RegistryModule,
    MetricsModule,
  ],
  providers: [KeeperService, KeptCookieRepository, KeeperMetrics],
  exports: [KeeperService, KeeperMetrics],
})
export class KeeperModule implements OnModuleInit {
  constructor(private readonly erasure: Erasure) {}

  onModuleInit(): void {
    // Kept cookies are identity: visitor and customer erasure and the account's deletion go.
    this.erasure.register<KeptCookieEntity>({
      entity: KeptCookieEntity,
      account: 'accountId',
      visitor: 'visitorId',
    });
  }
}
