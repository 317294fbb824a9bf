import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ChangeFeed } from './change-feed';
import { Erasure } from './erasure';
import { OneTimeTokenEntity } from './one-time-token.entity';
import { UnitOfWork } from './unit-of-work';

/**
 * The unit of work every repository and writing service uses, the feed of changes made by
 * other nodes, and the erasure every feature registers its tables with (the DataSource itself
 * comes from TypeORM; each feature registers its own entities with TypeOrmModule.forFeature).
 */
@Module({
  imports: [TypeOrmModule.forFeature([OneTimeTokenEntity])],
  providers: [UnitOfWork, ChangeFeed, Erasure],
  exports: [UnitOfWork, ChangeFeed, Erasure],
})
export class DatabaseModule implements OnModuleInit {
  constructor(private readonly erasure: Erasure) {}

  onModuleInit(): void {
    // Bridge tokens and used login assertions (jti): the account's, until they expire.
    this.erasure.register({ entity: OneTimeTokenEntity, account: 'accountId' });
  }
}
