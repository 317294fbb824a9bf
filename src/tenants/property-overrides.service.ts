import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ErrorCode, PantryError } from '../common/errors';
import {
  findContradictions,
  layered,
  parsePropertyValue,
  unknownKeyMessage,
} from '../properties/configuration';
import { CatalogEntry, PropertyKey, findProperty } from '../properties/property-catalog';
import { PropertyOverrideRepository } from './property-override.repository';
import { TenantService } from './tenant.service';

/**
 * Admin-API property overrides: validated with the same catalog code as the account files'
 * lines, stored in the caller's unit of work (TenantService.propertiesOf reads the result).
 */
@Injectable()
export class PropertyOverridesService {
  constructor(
    private readonly tenants: TenantService,
    private readonly repository: PropertyOverrideRepository,
  ) {}

  /**
   * Validates an admin-API override exactly as a line of an account file would be validated
   * (the same catalog parsers and contradiction rules); returns the canonical key.
   */
  validateOverride(accountId: string, rawKey: string, raw: string): CatalogEntry {
    const entry = this.overridableEntry(rawKey);
    const parsed = parsePropertyValue(entry, raw);
    if (!parsed.ok) {
      throw new PantryError(ErrorCode.InvalidProperty, `${entry.key}: ${parsed.message}`);
    }
    const { values } = layered(this.tenants.propertiesOf(accountId), [
      [entry.key, parsed.value, { source: 'api', raw }],
    ]);
    const snapshot = this.tenants.current;
    const partners = {
      values: (id: string) => (snapshot.account(id) ? snapshot.propertiesOf(id).values : undefined),
      complete: true,
    };
    const contradiction = findContradictions(values, partners).find((c) =>
      c.keys.includes(entry.key),
    );
    if (contradiction) {
      throw new PantryError(ErrorCode.InvalidProperty, `${entry.key}: ${contradiction.message}`);
    }
    return entry;
  }

  /** The catalog entry of a key an override may set, or a 400 saying why not. */
  overridableEntry(rawKey: string): CatalogEntry {
    const entry = findProperty(rawKey);
    if (!entry) {
      throw new PantryError(ErrorCode.UnknownProperty, `${rawKey}: ${unknownKeyMessage(rawKey)}`);
    }
    if (entry.scope !== 'ACCOUNT') {
      throw new PantryError(
        ErrorCode.PropertyScope,
        `${entry.key}: ${entry.scope} property: set it in application.properties, not per account`,
      );
    }
    if (entry.accountFileOnly) {
      throw new PantryError(
        ErrorCode.PropertyScope,
        `${entry.key}: not a property override; use the account and API-key routes`,
      );
    }
    return entry;
  }

  /**
   * Stores an override (validated first) in the caller's unit of work; returns the canonical
   * key. Call refresh() once the unit has committed to apply it on this node.
   */
  async setOverride(
    em: EntityManager,
    accountId: string,
    rawKey: string,
    raw: string,
  ): Promise<PropertyKey> {
    const entry = this.validateOverride(accountId, rawKey, raw);
    await this.repository.upsert(em, accountId, entry.key, raw.trim());
    return entry.key;
  }

  /** Removes an override in the caller's unit of work; returns the canonical key, or null when there was none. */
  async removeOverride(
    em: EntityManager,
    accountId: string,
    rawKey: string,
  ): Promise<PropertyKey | null> {
    const entry = this.overridableEntry(rawKey);
    return (await this.repository.remove(em, accountId, entry.key)) ? entry.key : null;
  }
}
