import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseModule } from '../database/database.module';
import { Erasure } from '../database/erasure';
import { RegistryModule } from '../registry/registry.module';
import { AccountEntity } from './account.entity';
import { AccountRepository } from './account.repository';
import { AccountWritesService } from './account-writes.service';
import { ApiKeyEntity } from './api-key.entity';
import { PropertyOverrideEntity } from './property-override.entity';
import { PropertyOverrideRepository } from './property-override.repository';
import { PropertyOverridesService } from './property-overrides.service';
import { TenantService } from './tenant.service';

/**
 * The one owner of account state: the tenant snapshot and its read API (TenantService), the
 * account, API-key and override tables, and the writes to them. Import it where accounts are
 * read or written.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([AccountEntity, ApiKeyEntity, PropertyOverrideEntity]),
    DatabaseModule,
    RegistryModule,
  ],
  providers: [
    TenantService,
    AccountRepository,
    PropertyOverrideRepository,
    AccountWritesService,
    PropertyOverridesService,
  ],
  exports: [TenantService, AccountWritesService, PropertyOverridesService],
})
export class TenantsModule implements OnModuleInit {
  constructor(private readonly erasure: Erasure) {}

  onModuleInit(): void {
    // Deleted with the account (whose own row AccountRepository deletes last).
    this.erasure.register<ApiKeyEntity>({ entity: ApiKeyEntity, account: 'accountId' });
    this.erasure.register<PropertyOverrideEntity>({
      entity: PropertyOverrideEntity,
      account: 'accountId',
    });
  }
}
