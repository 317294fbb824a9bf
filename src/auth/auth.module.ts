import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module';
import { AuthService } from './auth.service';

/** Known visitors: login sessions and customer links (used by the visitor and admin APIs). */
@Module({ imports: [DatabaseModule], providers: [AuthService], exports: [AuthService] })
export class AuthModule {}
