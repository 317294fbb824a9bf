import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseModule } from '../database/database.module';
import { Erasure } from '../database/erasure';
import { RegistryModule } from '../registry/registry.module';
import { SecretsModule } from '../secrets/secrets.module';
import { AuthSessionEntity, CustomerLinkEntity } from './auth.entities';
import { AuthService } from './auth.service';

/** Known visitors: login sessions and customer links (used by the visitor and admin APIs). */
@Module({
  imports: [
    TypeOrmModule.forFeature([AuthSessionEntity, CustomerLinkEntity]),
    DatabaseModule,
    RegistryModule,
    SecretsModule,
  ],
  providers: [AuthService],
  exports: [AuthService],
})
export class AuthModule implements OnModuleInit {
  constructor(
    private readonly erasure: Erasure,
    private readonly auth: AuthService,
  ) {}

  onModuleInit(): void {
    this.erasure.register<CustomerLinkEntity>({
      entity: CustomerLinkEntity,
      account: 'accountId',
      visitor: 'visitorId',
    });
    // A session names the visitor it logged in: erasing the visitor deletes it (its
    // authsession is refused from then on, on every node).
    this.erasure.register<AuthSessionEntity>({
      entity: AuthSessionEntity,
      account: 'accountId',
      visitor: 'visitorId',
      erased: (em) => this.auth.sessionsErased(em),
    });
  }
}
