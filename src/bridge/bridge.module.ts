import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module';
import { BridgeService } from './bridge.service';

/** The cross-domain bridge's tokens (issued and redeemed by the visitor API). */
@Module({ imports: [DatabaseModule], providers: [BridgeService], exports: [BridgeService] })
export class BridgeModule {}
