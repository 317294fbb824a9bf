import { Global, Module } from '@nestjs/common';
import { AccountRepository } from './account.repository';
import { AccountsService } from './accounts.service';

@Global()
@Module({
  providers: [AccountsService, AccountRepository],
  exports: [AccountsService],
})
export class AccountsModule {}
