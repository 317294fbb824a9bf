import { Injectable } from '@nestjs/common';
import { ConfigurationService } from '../properties/configuration.service';
import { AccountPropertiesService } from '../properties/account-properties.service';

export interface AccountSummary {
  readonly id: string;
  readonly name: string;
  readonly source: 'file' | 'api';
  readonly file?: string;
}

/**
 * Accounts and their API keys. The API-key index is rebuilt when the configuration changes,
 * so resolving a key on the request path is a map lookup.
 */
@Injectable()
export class AccountsService {
  private index = new Map<string, string>();
  private indexVersion = -1;

  constructor(
    private readonly configuration: ConfigurationService,
    private readonly properties: AccountPropertiesService,
  ) {}

  list(): AccountSummary[] {
    return [...this.configuration.configuration.accounts.values()].map((a) => ({
      id: a.id,
      name: a.name,
      source: 'file',
      file: a.file,
    }));
  }

  count(): number {
    return this.configuration.configuration.accounts.size;
  }

  /** The account id an API key belongs to, or null. */
  accountForApiKey(apiKey: string): string | null {
    if (this.indexVersion !== this.properties.version) {
      const index = new Map<string, string>();
      for (const account of this.configuration.configuration.accounts.values()) {
        for (const key of account.apiKeys) index.set(key, account.id);
      }
      this.index = index;
      this.indexVersion = this.properties.version;
    }
    return this.index.get(apiKey) ?? null;
  }
}
