import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { DatabaseModule } from '../database/database.module';
import { Erasure } from '../database/erasure';
import { SecretsModule } from '../secrets/secrets.module';
import { AccountCredentialEntity } from './account-credential.entity';
import { ConsoleSessionEntity } from './console-session.entity';
import { ConsoleSessionsService } from './console-sessions.service';
import { CredentialsService } from './credentials.service';

/** Per-account access (SPEC §19): account credentials and their roles; console sessions (§17). */
@Module({
  imports: [
    TypeOrmModule.forFeature([AccountCredentialEntity, ConsoleSessionEntity]),
    DatabaseModule,
    AuditModule,
    SecretsModule,
  ],
  providers: [CredentialsService, ConsoleSessionsService],
  exports: [CredentialsService, ConsoleSessionsService],
})
export class AccessModule implements OnModuleInit {
  constructor(private readonly erasure: Erasure) {}

  onModuleInit(): void {
    // An account's credentials go with the account, and never open a new one of its id.
    this.erasure.register<AccountCredentialEntity>({
      entity: AccountCredentialEntity,
      account: 'accountId',
      grantsAccess: true,
    });
    // And so do the console sessions of those credentials (SPEC §17).
    this.erasure.register<ConsoleSessionEntity>({
      entity: ConsoleSessionEntity,
      account: 'accountId',
      grantsAccess: true,
    });
  }
}
