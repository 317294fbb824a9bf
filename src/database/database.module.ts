import { Module } from '@nestjs/common';
import { ChangeFeed } from './change-feed';
import { UnitOfWork } from './unit-of-work';

/**
 * The unit of work every repository and writing service uses, and the feed of changes made by
 * other nodes (the DataSource itself comes from TypeORM).
 */
@Module({ providers: [UnitOfWork, ChangeFeed], exports: [UnitOfWork, ChangeFeed] })
export class DatabaseModule {}
