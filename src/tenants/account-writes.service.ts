import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { ErrorCode, PantryError } from '../common/errors';
import { isUniqueViolation } from '../database/database-errors';
import { ConfigurationService } from '../properties/configuration.service';
import { AccountRepository } from './account.repository';
import { accountNotFound as notFound, TenantService } from './tenant.service';

const keyTaken = (owner: string) =>
  new PantryError(
    ErrorCode.ApiKeyTaken,
    `This API key is already used by ${owner}; API keys must be unique across accounts.`,
  );

/**
 * Writes to API accounts and their keys, in the caller's unit of work (reads are
 * TenantService's; call its refresh() once the unit has committed).
 */
@Injectable()
export class AccountWritesService {
  constructor(
    private readonly configuration: ConfigurationService,
    private readonly tenants: TenantService,
    private readonly repository: AccountRepository,
  ) {}

  private newKey(): string {
    for (;;) {
      const key = randomBytes(16).toString('base64url');
      if (this.tenants.accountForApiKey(key) === null) return key;
    }
  }

  /** The account if it exists (a file, or a row seen by this unit of work), else a 404. */
  async requireIn(em: EntityManager, id: string): Promise<void> {
    if (this.configuration.configuration.accounts.has(id)) return;
    if (!(await this.repository.exists(em, id))) throw notFound(id);
  }

  /**
   * Creates an API account with a first key (the given one, or a generated one), in the caller's
   * unit of work. Whether the id or the key is taken is decided by the database's primary keys
   * (409), not by a read before the write, so two nodes cannot both win; only what account files
   * define, which is not in the database, is checked here.
   */
  async create(em: EntityManager, id: string, name: string, apiKey?: string): Promise<string> {
    const file = this.configuration.configuration.accounts.get(id);
    if (file) {
      throw new PantryError(
        ErrorCode.AccountExists,
        `Account "${id}" already exists (defined by ${file.file}).`,
      );
    }
    const key = apiKey ?? this.newKey();
    this.refuseTakenKey(key);
    try {
      await this.repository.insertAccount(em, id, name);
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      throw new PantryError(ErrorCode.AccountExists, `Account "${id}" already exists.`);
    }
    await this.insertKey(em, id, key);
    return key;
  }

  /**
   * A key any account has, as this node knows it (a file's, or one stored), is a 409 before the
   * write; what another node stored a moment ago is refused by the database's primary key.
   */
  private refuseTakenKey(key: string): void {
    const owner = this.tenants.accountForApiKey(key);
    if (owner === null) return;
    const file = this.configuration.configuration.accounts.get(owner);
    throw keyTaken(
      file?.apiKeys.includes(key) ? `account "${owner}" (${file.file})` : `account "${owner}"`,
    );
  }

  /** Stores a key; one the database already holds (any account, any node) is a 409. */
  private async insertKey(em: EntityManager, accountId: string, key: string): Promise<void> {
    try {
      await this.repository.insertKey(em, accountId, key);
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      throw keyTaken('another account');
    }
  }

  private refuseFileAccount(id: string, action: string): void {
    const file = this.configuration.configuration.accounts.get(id);
    if (file) {
      throw new PantryError(
        ErrorCode.AccountDefinedByFile,
        `Account "${id}" is defined by ${file.file}; ${action} it there.`,
      );
    }
  }

  async rename(em: EntityManager, id: string, name: string): Promise<void> {
    this.refuseFileAccount(id, 'change');
    if (!(await this.repository.updateAccount(em, id, name))) throw notFound(id);
  }

  async delete(em: EntityManager, id: string): Promise<void> {
    this.refuseFileAccount(id, 'remove');
    if (!(await this.repository.deleteAccount(em, id))) throw notFound(id);
  }

  /** Adds a key (the given one, or a generated one) to an account; returns it. */
  async createKey(em: EntityManager, accountId: string, apiKey?: string): Promise<string> {
    await this.requireIn(em, accountId);
    const key = apiKey ?? this.newKey();
    this.refuseTakenKey(key);
    await this.insertKey(em, accountId, key);
    return key;
  }

  async revokeKey(em: EntityManager, accountId: string, key: string): Promise<void> {
    await this.requireIn(em, accountId);
    const file = this.configuration.configuration.accounts.get(accountId);
    if (file?.apiKeys.includes(key)) {
      throw new PantryError(
        ErrorCode.ApiKeyDefinedByFile,
        `This API key is listed in ${file.file}; remove it there.`,
      );
    }
    if (!(await this.repository.deleteKey(em, accountId, key))) {
      throw new PantryError(
        ErrorCode.ApiKeyNotFound,
        `Account "${accountId}" has no such API key.`,
      );
    }
  }
}
