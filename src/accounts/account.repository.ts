import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PropertyOverrideEntity } from '../properties/property-override.entity';
import { VisitorEntity } from '../registry/visitor.entity';
import { AccountEntity } from './account.entity';
import { ApiKeyEntity } from './api-key.entity';

/** Accounts and API keys created through the admin API. */
@Injectable()
export class AccountRepository {
  constructor(private readonly dataSource: DataSource) {}

  findAllAccounts(): Promise<AccountEntity[]> {
    return this.dataSource.getRepository(AccountEntity).find({ order: { id: 'ASC' } });
  }

  findAllKeys(): Promise<ApiKeyEntity[]> {
    return this.dataSource.getRepository(ApiKeyEntity).find({ order: { createdAt: 'ASC' } });
  }

  /** Creates the account with its first key in one transaction. */
  async createAccount(id: string, name: string, firstKey: string): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      await em.insert(AccountEntity, { id, name });
      await em.insert(ApiKeyEntity, { key: firstKey, accountId: id });
    });
  }

  async updateAccount(id: string, name: string): Promise<void> {
    await this.dataSource.getRepository(AccountEntity).update({ id }, { name });
  }

  /** Deletes the account and everything it owns (keys, overrides, visitor records). */
  async deleteAccount(id: string): Promise<void> {
    await this.dataSource.transaction(async (em) => {
      await em.delete(ApiKeyEntity, { accountId: id });
      await em.delete(PropertyOverrideEntity, { accountId: id });
      await em.delete(VisitorEntity, { accountId: id });
      await em.delete(AccountEntity, { id });
    });
  }

  async createKey(accountId: string, key: string): Promise<void> {
    await this.dataSource.getRepository(ApiKeyEntity).insert({ key, accountId });
  }

  async deleteKey(accountId: string, key: string): Promise<boolean> {
    const result = await this.dataSource.getRepository(ApiKeyEntity).delete({ accountId, key });
    return (result.affected ?? 0) > 0;
  }
}
