import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { moveTenantRevision, readTenantRevision } from '../database/tenant-revision';
import { Erasure } from '../database/erasure';
import { UnitOfWork } from '../database/unit-of-work';
import { AccountEntity } from './account.entity';
import { ApiKeyEntity } from './api-key.entity';

/**
 * Accounts and API keys created through the admin API. Writes take the caller's unit of work
 * (`em`), so a change and its audit entry commit together; reads queue on the unit of work.
 */
@Injectable()
export class AccountRepository {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly erasure: Erasure,
  ) {}

  /**
   * The tenant revision: moved by every change to accounts, keys or overrides, in the same
   * transaction (ChangeFeed.announce). Equal revisions mean equal tables.
   */
  tenantRevision(): Promise<string> {
    return this.uow.read(readTenantRevision);
  }

  /** Every API account's id and name: plain rows (no entities), there may be 100,000. */
  findAllAccounts(): Promise<Array<{ id: string; name: string }>> {
    return this.uow.read((em) =>
      em.query<Array<{ id: string; name: string }>>(
        'SELECT "id", "name" FROM "accounts" ORDER BY "id"',
      ),
    );
  }

  findAllKeys(): Promise<ApiKeyEntity[]> {
    return this.uow.read((em) => em.find(ApiKeyEntity, { order: { createdAt: 'ASC' } }));
  }

  exists(em: EntityManager, id: string): Promise<boolean> {
    return em.exists(AccountEntity, { where: { id } });
  }

  /** Inserts the account (its first key follows, insertKey); a taken id fails on the primary key. */
  async insertAccount(em: EntityManager, id: string, name: string) {
    await em.insert(AccountEntity, { id, name });
    // A new account: no credential an earlier account of this id (a removed file's) gave out.
    await this.erasure.revokeEarlierAccess(em, id);
    await moveTenantRevision(em);
  }

  /** False when there is no such API account. */
  async updateAccount(em: EntityManager, id: string, name: string): Promise<boolean> {
    const result = await em.update(AccountEntity, { id }, { name });
    await moveTenantRevision(em);
    return (result.affected ?? 0) > 0;
  }

  /**
   * Deletes the account and every row it owns, in every table a feature registered with the
   * erasure (keys, overrides, visitors, erased ids, tokens, bridge history and links, sessions,
   * customer links); its audit entries stay.
   */
  async deleteAccount(em: EntityManager, id: string): Promise<boolean> {
    await this.erasure.eraseAccount(em, id);
    const result = await em.delete(AccountEntity, { id });
    await moveTenantRevision(em);
    return (result.affected ?? 0) > 0;
  }

  /** A key the table holds already, for any account, fails on the primary key (across nodes). */
  async insertKey(em: EntityManager, accountId: string, key: string): Promise<void> {
    await em.insert(ApiKeyEntity, { key, accountId });
    await moveTenantRevision(em);
  }

  async deleteKey(em: EntityManager, accountId: string, key: string): Promise<boolean> {
    const result = await em.delete(ApiKeyEntity, { accountId, key });
    await moveTenantRevision(em);
    return (result.affected ?? 0) > 0;
  }
}
