import { Global, Module } from '@nestjs/common';
import { CookiePlanService } from './cookie-plan.service';
import { CookieSignerService } from './cookie-signer.service';

@Global()
@Module({
  providers: [CookiePlanService, CookieSignerService],
  exports: [CookiePlanService, CookieSignerService],
})
export class CookiesModule {}
