import { Global, Module } from '@nestjs/common';
import { TenantsModule } from '../tenants/tenants.module';
import { AccountsService } from './accounts.service';

@Global()
@Module({
  imports: [TenantsModule],
  providers: [AccountsService],
  exports: [AccountsService],
})
export class AccountsModule {}
