import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { moveTenantRevision } from '../database/tenant-revision';
import { UnitOfWork } from '../database/unit-of-work';
import { PropertyOverrideEntity } from './property-override.entity';

/** Admin-API property overrides; every query is per account; writes take the caller's unit. */
@Injectable()
export class PropertyOverrideRepository {
  constructor(private readonly uow: UnitOfWork) {}

  /** Every override: plain rows (no entities), there may be several per account. */
  findAll(): Promise<Array<{ accountId: string; key: string; value: string }>> {
    return this.uow.read((em) =>
      em.query<Array<{ accountId: string; key: string; value: string }>>(
        'SELECT "accountId", "key", "value" FROM "property_overrides" ORDER BY "accountId", "key"',
      ),
    );
  }

  async upsert(em: EntityManager, accountId: string, key: string, value: string): Promise<void> {
    await em.upsert(PropertyOverrideEntity, { accountId, key, value }, ['accountId', 'key']);
    await moveTenantRevision(em);
  }

  async remove(em: EntityManager, accountId: string, key: string): Promise<boolean> {
    const result = await em.delete(PropertyOverrideEntity, { accountId, key });
    await moveTenantRevision(em);
    return (result.affected ?? 0) > 0;
  }
}
