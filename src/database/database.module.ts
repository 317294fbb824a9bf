import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ChangeFeed } from './change-feed';
import { OneTimeTokenEntity } from './one-time-token.entity';
import { UnitOfWork } from './unit-of-work';

/**
 * The unit of work every repository and writing service uses, and the feed of changes made by
 * other nodes (the DataSource itself comes from TypeORM; each feature registers its own
 * entities with TypeOrmModule.forFeature).
 */
@Module({
  imports: [TypeOrmModule.forFeature([OneTimeTokenEntity])],
  providers: [UnitOfWork, ChangeFeed],
  exports: [UnitOfWork, ChangeFeed],
})
export class DatabaseModule {}
