import { Global, Module } from '@nestjs/common';
import { TenantsModule } from '../tenants/tenants.module';
import { AccountPropertiesService } from './account-properties.service';

/** Effective per-account properties, with the admin-API overrides stored in the database. */
@Global()
@Module({
  imports: [TenantsModule],
  providers: [AccountPropertiesService],
  exports: [AccountPropertiesService],
})
export class AccountPropertiesModule {}
