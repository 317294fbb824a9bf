import { Global, Module } from '@nestjs/common';
import { AccountRepository } from '../accounts/account.repository';
import { DatabaseModule } from '../database/database.module';
import { PropertyOverrideRepository } from '../properties/property-override.repository';
import { TenantService } from './tenant.service';

/** The tenant snapshot and the repositories it is read from. */
@Global()
@Module({
  imports: [DatabaseModule],
  providers: [TenantService, AccountRepository, PropertyOverrideRepository],
  exports: [TenantService, AccountRepository, PropertyOverrideRepository],
})
export class TenantsModule {}
