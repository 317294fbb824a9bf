import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { moveTenantRevision, readTenantRevision } from '../database/tenant-revision';
import { UnitOfWork } from '../database/unit-of-work';
import { PropertyOverrideEntity } from './property-override.entity';
import { AuthSessionEntity, CustomerLinkEntity } from '../auth/auth.entities';
import { BridgeLinkEntity } from '../bridge/bridge-link.entity';
import { BridgeRedemptionEntity } from '../bridge/bridge-redemption.entity';
import { OneTimeTokenEntity } from '../database/one-time-token.entity';
import { ErasedIdEntity } from '../registry/erased-id.entity';
import { VisitorEntity } from '../registry/visitor.entity';
import { AccountEntity } from './account.entity';
import { ApiKeyEntity } from './api-key.entity';

/**
 * Accounts and API keys created through the admin API. Writes take the caller's unit of work
 * (`em`), so a change and its audit entry commit together; reads queue on the unit of work.
 */
@Injectable()
export class AccountRepository {
  constructor(private readonly uow: UnitOfWork) {}

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
    await moveTenantRevision(em);
  }

  /** False when there is no such API account. */
  async updateAccount(em: EntityManager, id: string, name: string): Promise<boolean> {
    const result = await em.update(AccountEntity, { id }, { name });
    await moveTenantRevision(em);
    return (result.affected ?? 0) > 0;
  }

  /** Deletes the account and everything it owns (keys, overrides, visitors, erasures, tokens). */
  async deleteAccount(em: EntityManager, id: string): Promise<boolean> {
    await em.delete(ApiKeyEntity, { accountId: id });
    await em.delete(PropertyOverrideEntity, { accountId: id });
    await em.delete(VisitorEntity, { accountId: id });
    await em.delete(ErasedIdEntity, { accountId: id });
    await em.delete(OneTimeTokenEntity, { accountId: id });
    await em.delete(BridgeRedemptionEntity, { accountId: id });
    // Links on its records, and those on partner accounts' records naming its visitors.
    await em.delete(BridgeLinkEntity, { accountId: id });
    await em.delete(BridgeLinkEntity, { linkedAccountId: id });
    await em.delete(AuthSessionEntity, { accountId: id });
    await em.delete(CustomerLinkEntity, { accountId: id });
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
