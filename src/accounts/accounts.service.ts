import { Injectable } from '@nestjs/common';
import { ConfigurationService } from '../properties/configuration.service';

export interface AccountSummary {
  readonly id: string;
  readonly name: string;
  readonly source: 'file' | 'api';
  readonly file?: string;
}

/** Accounts and their API keys. Issue 4 adds accounts and keys stored in the database. */
@Injectable()
export class AccountsService {
  constructor(private readonly configuration: ConfigurationService) {}

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
}
