import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CookiesModule } from '../cookies/cookies.module';
import { DatabaseModule } from '../database/database.module';
import { Erasure } from '../database/erasure';
import { RegistryModule } from '../registry/registry.module';
import { BridgeLinkEntity } from './bridge-link.entity';
import { BridgeRedemptionEntity } from './bridge-redemption.entity';
import { BridgeService } from './bridge.service';

/** The cross-domain bridge's tokens (issued and redeemed by the visitor API). */
@Module({
  imports: [
    TypeOrmModule.forFeature([BridgeRedemptionEntity, BridgeLinkEntity]),
    DatabaseModule,
    RegistryModule,
    CookiesModule,
  ],
  providers: [BridgeService],
  exports: [BridgeService],
})
export class BridgeModule implements OnModuleInit {
  constructor(private readonly erasure: Erasure) {}

  onModuleInit(): void {
    this.erasure.register<BridgeRedemptionEntity>({
      entity: BridgeRedemptionEntity,
      account: 'accountId',
      visitor: 'visitorId',
    });
    // A link is stored on both visitors' records: each side goes with either visitor, and
    // with either account (a partner's deletion removes the links on this account's records).
    this.erasure.register<BridgeLinkEntity>(
      { entity: BridgeLinkEntity, account: 'accountId', visitor: 'visitorId' },
      { entity: BridgeLinkEntity, account: 'linkedAccountId', visitor: 'linkedVisitorId' },
    );
  }
}
