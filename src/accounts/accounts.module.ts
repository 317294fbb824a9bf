import { Global, Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module';
import { AccountRepository } from './account.repository';
import { AccountsService } from './accounts.service';

@Global()
@Module({
  imports: [DatabaseModule],
  providers: [AccountsService, AccountRepository],
  exports: [AccountsService],
})
export class AccountsModule {}
