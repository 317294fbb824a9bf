import { Module } from '@nestjs/common';
import { SecretsModule } from '../secrets/secrets.module';
import { CookieSignerService } from './cookie-signer.service';

/** Signing and verifying cookie values with the node's shared secrets. */
@Module({
  imports: [SecretsModule],
  providers: [CookieSignerService],
  exports: [CookieSignerService],
})
export class CookiesModule {}
