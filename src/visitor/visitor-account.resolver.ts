import { Injectable } from '@nestjs/common';
import { ErrorCode, PantryError } from '../common/errors';
import { normalizeHost } from '../cookies/cookie-domain';
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

  /**
   * Edge mode (SPEC §16): the account whose `proxy.hosts` names the page's host (as the visitor
   * request reads it), with its first key's plan, or null.
   */
  byProxiedHost(host: string | undefined): VisitorAccount | null {
    const site = this.tenants.current.proxiedSites().get(normalizeHost(host) ?? '');
    return site ? this.tenants.visitorAccount(site.accountId) : null;
  }

  /** Why an edge request has no account: its host is in no account's `proxy.hosts`. */
  hostRefusal(host: string | undefined): PantryError {
    const name = normalizeHost(host);
    return new PantryError(
      ErrorCode.AccountNotFound,
      name
        ? `No account's proxy.hosts names ${JSON.stringify(name)} (the page's host, read from X-Forwarded-Host under server.trustProxy, else Host).`
        : 'The request names no valid host (X-Forwarded-Host under server.trustProxy, else Host).',
    );
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
