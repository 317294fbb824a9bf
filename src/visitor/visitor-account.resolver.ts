import { Injectable } from '@nestjs/common';
import { ErrorCode, PantryError } from '../common/errors';
import { API_KEY_PATTERN } from '../properties/property-values';
import { TenantService, VisitorAccount } from '../tenants/tenant.service';
import { VisitorHttpRequest } from './visitor-request';

/**
 * Resolves the account of a visitor request from its API key (query parameter or header
 * `<prefix>apikey`; the first of repeated parameters): a map lookup and a cached plan.
 */
@Injectable()
export class VisitorAccountResolver {
  constructor(private readonly tenants: TenantService) {}

  /** The request's API key, or undefined when absent. */
  apiKey(request: VisitorHttpRequest): string | undefined {
    const name = `${this.tenants.serverPrefix}apikey`;
    const value =
      (request.query as Record<string, unknown> | undefined)?.[name] ?? request.headers[name];
    if (Array.isArray(value)) return typeof value[0] === 'string' ? value[0] : undefined;
    return typeof value === 'string' ? value : undefined;
  }

  /** The account, or null when the key is missing, malformed or unknown. */
  find(request: VisitorHttpRequest): VisitorAccount | null {
    const apiKey = this.apiKey(request);
    const accountId = this.accountOfKey(apiKey);
    return accountId
      ? { accountId, apiKey: apiKey!, plan: this.tenants.planFor(accountId, apiKey!) }
      : null;
  }

  /** Only the account's id (the access log's), without its cookie plan. */
  accountIdOf(request: VisitorHttpRequest): string | undefined {
    return this.accountOfKey(this.apiKey(request)) ?? undefined;
  }

  /** The account a well-formed, known key names. */
  private accountOfKey(apiKey: string | undefined): string | null {
    if (apiKey === undefined || !API_KEY_PATTERN.test(apiKey)) return null;
    return this.tenants.accountForApiKey(apiKey);
  }

  /** Why a request has no account (the key is missing, or unknown): the 401 a route answers. */
  refusal(request: VisitorHttpRequest): PantryError {
    const prefix = this.tenants.serverPrefix;
    if (!this.apiKey(request)) {
      return new PantryError(
        ErrorCode.ApiKeyRequired,
        `Pass the account's API key as query parameter or header ${prefix}apikey.`,
      );
    }
    return new PantryError(ErrorCode.UnknownApiKey, 'Unknown API key.');
  }
}
