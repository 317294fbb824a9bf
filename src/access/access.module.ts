import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { DatabaseModule } from '../database/database.module';
import { Erasure } from '../database/erasure';
import { AccountCredentialEntity } from './account-credential.entity';
import { CredentialsService } from './credentials.service';

/** Per-account access (SPEC §19): account credentials and their roles. */
@Module({
  imports: [TypeOrmModule.forFeature([AccountCredentialEntity]), DatabaseModule, AuditModule],
  providers: [CredentialsService],
  exports: [CredentialsService],
})
export class AccessModule implements OnModuleInit {
  constructor(private readonly erasure: Erasure) {}

  onModuleInit(): void {
    // An account's credentials go with the account.
    this.erasure.register<AccountCredentialEntity>({
      entity: AccountCredentialEntity,
      account: 'accountId',
    });
  }
}
