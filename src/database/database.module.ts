import { Module } from '@nestjs/common';
import { UnitOfWork } from './unit-of-work';

/** The unit of work every repository and writing service uses (the DataSource comes from TypeORM). */
@Module({ providers: [UnitOfWork], exports: [UnitOfWork] })
export class DatabaseModule {}
