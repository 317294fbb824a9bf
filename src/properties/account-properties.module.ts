import { Global, Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module';
import { AccountPropertiesService } from './account-properties.service';
import { PropertyOverrideRepository } from './property-override.repository';

/** Effective per-account properties, with the admin-API overrides stored in the database. */
@Global()
@Module({
  imports: [DatabaseModule],
  providers: [AccountPropertiesService, PropertyOverrideRepository],
  exports: [AccountPropertiesService, PropertyOverrideRepository],
})
export class AccountPropertiesModule {}
