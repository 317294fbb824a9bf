import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseModule } from '../database/database.module';
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
export class AuthModule {}
