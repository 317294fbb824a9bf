import { Injectable } from '@nestjs/common';
import { AccountsService } from '../accounts/accounts.service';
import { AccountPropertiesService } from '../properties/account-properties.service';
import { ConfigurationService } from '../properties/configuration.service';
import { buildCookiePlan, CookiePlan } from './cookie-plan';
import { OriginMatcher } from './origin-matcher';

/**
 * Cookie plans per API key, rebuilt only when properties change; the request path does a
 * version check and a map lookup.
 */
@Injectable()
export class CookiePlanService {
  private plans = new Map<string, CookiePlan>();
  private anyOrigin?: { readonly matcher: OriginMatcher; readonly accounts: number };
  private version = -1;

  constructor(
    private readonly configuration: ConfigurationService,
    private readonly properties: AccountPropertiesService,
    private readonly accounts: AccountsService,
  ) {}

  private fresh(): void {
    if (this.version === this.properties.version) return;
    this.plans = new Map();
    this.anyOrigin = undefined;
    this.version = this.properties.version;
  }

  planFor(accountId: string, apiKey: string): CookiePlan {
    this.fresh();
    const cached = this.plans.get(apiKey);
    if (cached && cached.accountId === accountId) return cached;
    const startup = this.configuration.startup;
    const plan = buildCookiePlan(accountId, apiKey, this.properties.forAccount(accountId).values, {
      multiAccount: startup['server.multiAccount'],
      clusterEnabled: startup['identifier.clusterEnabled'],
    });
    this.plans.set(apiKey, plan);
    return plan;
  }

  /**
   * Origins allowed by any account, from files or created through the API: for preflights
   * that do not name their account.
   */
  anyAccountOrigins(): OriginMatcher {
    this.fresh();
    if (!this.anyOrigin || this.anyOrigin.accounts !== this.accounts.version) {
      const version = this.accounts.version;
      const all = new Set<string>();
      for (const account of this.accounts.list()) {
        this.properties
          .forAccount(account.id)
          .values['server.cors.allowedOrigins'].forEach((o) => all.add(o));
      }
      this.anyOrigin = { matcher: new OriginMatcher([...all]), accounts: version };
    }
    return this.anyOrigin.matcher;
  }

  /** Header names derive from the server prefix: `identifier.cookieNamePrefix` of application.properties. */
  get serverPrefix(): string {
    return this.configuration.configuration.app.values['identifier.cookieNamePrefix'].toLowerCase();
  }
}
