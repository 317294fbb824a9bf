import { CanActivate, ExecutionContext, HttpStatus, Injectable } from '@nestjs/common';
import { AccountsService } from '../accounts/accounts.service';
import { PantryException } from '../common/pantry.exception';
import { CookiePlanService } from '../cookies/cookie-plan.service';
import { API_KEY_PATTERN } from '../properties/property-values';
import { RequestWithAccount, VisitorAccount } from './visitor-context';

/** The API key of a request: query parameter or header `<prefix>apikey`; undefined when absent. */
export function requestApiKey(request: RequestWithAccount, prefix: string): string | undefined {
  const name = `${prefix}apikey`;
  const query = request.query as Record<string, unknown> | undefined;
  const fromQuery = query?.[name];
  const fromHeader = request.headers[name];
  const value = fromQuery ?? fromHeader;
  return typeof value === 'string' ? value : Array.isArray(value) ? String(value[0]) : undefined;
}

/** Resolves the account from the API key; 401 with nothing set when missing or unknown. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly accounts: AccountsService,
    private readonly plans: CookiePlanService,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<RequestWithAccount>();
    const prefix = this.plans.serverPrefix;
    const apiKey = requestApiKey(request, prefix);
    if (apiKey === undefined || apiKey === '') {
      throw new PantryException(
        HttpStatus.UNAUTHORIZED,
        'api_key_required',
        `Pass the account's API key as query parameter or header ${prefix}apikey.`,
      );
    }
    const accountId = API_KEY_PATTERN.test(apiKey) ? this.accounts.accountForApiKey(apiKey) : null;
    if (!accountId) {
      throw new PantryException(HttpStatus.UNAUTHORIZED, 'unknown_api_key', 'Unknown API key.');
    }
    const account: VisitorAccount = {
      accountId,
      apiKey,
      plan: this.plans.planFor(accountId, apiKey),
    };
    request.pantryAccount = account;
    return true;
  }
}
