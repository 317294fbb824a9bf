import { Injectable } from '@nestjs/common';
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
  private anyOrigin?: OriginMatcher;
  private version = -1;

  constructor(
    private readonly configuration: ConfigurationService,
    private readonly properties: AccountPropertiesService,
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

  /** Origins allowed by any account: for preflights that do not name their account. */
  anyAccountOrigins(): OriginMatcher {
    this.fresh();
    if (!this.anyOrigin) {
      const all = new Set<string>();
      for (const id of this.configuration.configuration.accounts.keys()) {
        this.properties
          .forAccount(id)
          .values['server.cors.allowedOrigins'].forEach((o) => all.add(o));
      }
      this.anyOrigin = new OriginMatcher([...all]);
    }
    return this.anyOrigin;
  }

  /** Header names derive from the server prefix: `identifier.cookieNamePrefix` of application.properties. */
  get serverPrefix(): string {
    return this.configuration.configuration.app.values['identifier.cookieNamePrefix'].toLowerCase();
  }
}
