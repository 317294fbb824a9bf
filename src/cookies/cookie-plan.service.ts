import { Injectable } from '@nestjs/common';
import { ConfigurationService } from '../properties/configuration.service';
import { TenantService } from '../tenants/tenant.service';
import { CookiePlan } from './cookie-plan';
import { OriginMatcher } from './origin-matcher';

/**
 * Cookie plans per account and API key, from the tenant snapshot (built once per snapshot,
 * then a map lookup on the request path).
 */
@Injectable()
export class CookiePlanService {
  constructor(
    private readonly configuration: ConfigurationService,
    private readonly tenants: TenantService,
  ) {}

  planFor(accountId: string, apiKey: string): CookiePlan {
    return this.tenants.current.plan(accountId, apiKey);
  }

  /**
   * Origins allowed by any account, from files or created through the API: for preflights
   * that do not name their account.
   */
  anyAccountOrigins(): OriginMatcher {
    return this.tenants.current.anyAccountOrigins();
  }

  /** Header names derive from the server prefix: `identifier.cookieNamePrefix` of application.properties. */
  get serverPrefix(): string {
    return this.configuration.configuration.app.values['identifier.cookieNamePrefix'].toLowerCase();
  }
}
