import { Injectable } from '@nestjs/common';
import { EntityManager, EntityTarget, FindOptionsWhere, ObjectLiteral } from 'typeorm';

/**
 * Rows a feature keeps of an account, in one of its tables: the column naming the account
 * and, where a row is one visitor's, the column naming the visitor (an id is a visitor's
 * within its account only). A table naming two visitors (a link) registers once per pair.
 */
interface OwnedRows<T extends ObjectLiteral> {
  readonly entity: EntityTarget<T>;
  readonly account: keyof T & string;
  /** Absent for rows of the account as a whole (keys, overrides, tokens, erased ids). */
  readonly visitor?: keyof T & string;
  /** Runs after the rows were deleted, in the same unit of work (announce, forget a cache). */
  readonly erased?: (em: EntityManager) => Promise<void>;
  /**
   * Rows that grant access to the account (credentials): a new account of the same id starts
   * without them, whatever an earlier account of that id (a removed file's) handed out.
   */
  readonly grantsAccess?: true;
}

/**
 * Erasure in one place (SPEC §6, §11): every feature module registers, at init, the tables
 * in which it keeps rows of a visitor or an account, and erasing a visitor or deleting an
 * account deletes them all, inside the caller's unit of work (with its audit entry). No
 * foreign keys: sightings are written behind the request path, so a login's or a bridge's
 * row may exist before its visitor's. test/erasure.e2e-spec.ts reads every table of the
 * migrated database and fails when one holds rows an erasure left behind.
 */
@Injectable()
export class Erasure {
  private readonly owners: Array<OwnedRows<ObjectLiteral>> = [];

  register<T extends ObjectLiteral>(...rows: Array<OwnedRows<T>>): void {
    this.owners.push(...(rows as unknown as Array<OwnedRows<ObjectLiteral>>));
  }

  /** Deletes every row of the visitor (its erased ids are the registry's to write). */
  async eraseVisitor(em: EntityManager, accountId: string, visitorId: string): Promise<void> {
    for (const owner of this.owners) {
      if (owner.visitor) {
        await this.delete(em, owner, { [owner.account]: accountId, [owner.visitor]: visitorId });
      }
    }
  }

  /** Deletes every row of the account, in every registered table (its own row is the caller's). */
  async eraseAccount(em: EntityManager, accountId: string): Promise<void> {
    for (const owner of this.owners) await this.delete(em, owner, { [owner.account]: accountId });
  }

  /**
   * Before an account of this id is created: deletes the rows granting access to an earlier
   * account of the id (a file account's, which outlive its removed file), so that they do not
   * open the new one.
   */
  async revokeEarlierAccess(em: EntityManager, accountId: string): Promise<void> {
    for (const owner of this.owners) {
      if (owner.grantsAccess) await this.delete(em, owner, { [owner.account]: accountId });
    }
  }

  private async delete(
    em: EntityManager,
    owner: OwnedRows<ObjectLiteral>,
    where: FindOptionsWhere<ObjectLiteral>,
  ): Promise<void> {
    const result = await em.delete(owner.entity, where);
    if ((result.affected ?? 1) > 0) await owner.erased?.(em);
  }
}
