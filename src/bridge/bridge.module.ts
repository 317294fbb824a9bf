import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CookiesModule } from '../cookies/cookies.module';
import { DatabaseModule } from '../database/database.module';
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
export class BridgeModule {}
