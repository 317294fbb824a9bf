import { HttpStatus, Injectable } from '@nestjs/common';
import { Account, AccountsService, ApiKeyInfo } from '../accounts/accounts.service';
import { AuditService } from '../audit/audit.service';
import { PantryException } from '../common/pantry.exception';
import { AccountPropertiesService } from '../properties/account-properties.service';
import { ConfigurationService, ReloadSummary } from '../properties/configuration.service';
import { VisitorRegistryService } from '../registry/visitor-registry.service';
import { effectiveProperties, PropertyView } from './effective-properties';

export interface VisitorView {
  readonly accountId: string;
  readonly visitorId: string;
  readonly deviceId: string | null;
  readonly consent: string;
  readonly firstSeen: string;
  readonly lastSeen: string;
}

/** Admin operations: each change is made, then written to the audit log (never a secret). */
@Injectable()
export class AdminService {
  constructor(
    private readonly accounts: AccountsService,
    private readonly properties: AccountPropertiesService,
    private readonly configuration: ConfigurationService,
    private readonly registry: VisitorRegistryService,
    private readonly audit: AuditService,
  ) {}

  listAccounts(): Account[] {
    return this.accounts.list();
  }

  getAccount(id: string): Account {
    return this.accounts.require(id);
  }

  async createAccount(actor: string, id: string, name?: string): Promise<Account> {
    const account = await this.accounts.create(id, name);
    await this.audit.record({
      actor,
      action: 'account.create',
      accountId: id,
      details: { name: account.name },
    });
    return account;
  }

  async renameAccount(actor: string, id: string, name: string): Promise<Account> {
    const account = await this.accounts.rename(id, name);
    await this.audit.record({ actor, action: 'account.update', accountId: id, details: { name } });
    return account;
  }

  async deleteAccount(actor: string, id: string): Promise<void> {
    await this.accounts.delete(id);
    await this.audit.record({ actor, action: 'account.delete', accountId: id });
  }

  listKeys(id: string): readonly ApiKeyInfo[] {
    return this.accounts.require(id).apiKeys;
  }

  async createKey(actor: string, id: string): Promise<ApiKeyInfo> {
    const key = await this.accounts.createKey(id);
    // API keys are public identifiers (they stand in every page that embeds the snippet).
    await this.audit.record({ actor, action: 'apikey.create', accountId: id, target: key.key });
    return key;
  }

  async revokeKey(actor: string, id: string, key: string): Promise<void> {
    await this.accounts.revokeKey(id, key);
    await this.audit.record({ actor, action: 'apikey.revoke', accountId: id, target: key });
  }

  listProperties(id: string): PropertyView[] {
    const account = this.accounts.require(id);
    return effectiveProperties(this.properties.forAccount(id), account);
  }

  async setProperty(
    actor: string,
    id: string,
    rawKey: string,
    value: string,
  ): Promise<PropertyView> {
    this.accounts.require(id);
    const key = await this.properties.setOverride(id, rawKey, value);
    await this.audit.record({
      actor,
      action: 'property.set',
      accountId: id,
      target: key,
      details: { value: value.trim() },
    });
    return this.listProperties(id).find((p) => p.key === key)!;
  }

  async removeProperty(actor: string, id: string, rawKey: string): Promise<void> {
    this.accounts.require(id);
    if (!(await this.properties.removeOverride(id, rawKey))) {
      throw new PantryException(
        HttpStatus.NOT_FOUND,
        'override_not_found',
        `Account "${id}" has no API override of ${rawKey}.`,
      );
    }
    await this.audit.record({ actor, action: 'property.remove', accountId: id, target: rawKey });
  }

  async reload(actor: string): Promise<ReloadSummary> {
    const result = this.configuration.reload();
    await this.audit.record({
      actor,
      action: 'config.reload',
      details: result.ok
        ? { ok: true, ...result.summary }
        : { ok: false, problems: result.problems.length },
    });
    if (!result.ok) {
      throw new PantryException(
        HttpStatus.BAD_REQUEST,
        'invalid_configuration',
        `The configuration has ${result.problems.length} problem(s); the last good configuration stays in force.`,
        { problems: result.problems },
      );
    }
    await this.properties.refresh();
    return result.summary;
  }

  async getVisitor(id: string, visitorId: string): Promise<VisitorView> {
    this.accounts.require(id);
    const record = await this.registry.find(id, visitorId);
    if (!record) throw this.visitorNotFound(id);
    return {
      accountId: record.accountId,
      visitorId: record.visitorId,
      deviceId: record.deviceId,
      consent: record.consent,
      firstSeen: new Date(record.firstSeen).toISOString(),
      lastSeen: new Date(record.lastSeen).toISOString(),
    };
  }

  async eraseVisitor(actor: string, id: string, visitorId: string): Promise<void> {
    this.accounts.require(id);
    if (!(await this.registry.erase(id, visitorId))) throw this.visitorNotFound(id);
    await this.audit.record({ actor, action: 'visitor.erase', accountId: id, target: visitorId });
  }

  private visitorNotFound(id: string): PantryException {
    return new PantryException(
      HttpStatus.NOT_FOUND,
      'visitor_not_found',
      `Account "${id}" has no such visitor.`,
    );
  }
}
