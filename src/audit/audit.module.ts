import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseModule } from '../database/database.module';
import { AuditEntryEntity } from './audit-entry.entity';
import { AuditService } from './audit.service';

/** The admin API's audit log. */
@Module({
  imports: [TypeOrmModule.forFeature([AuditEntryEntity]), DatabaseModule],
  providers: [AuditService],
  exports: [AuditService],
})
export class AuditModule {}
