import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { UnitOfWork } from '../database/unit-of-work';
import { PropertyOverrideEntity } from './property-override.entity';

/** Admin-API property overrides; every query is per account; writes take the caller's unit. */
@Injectable()
export class PropertyOverrideRepository {
  constructor(private readonly uow: UnitOfWork) {}

  findAll(): Promise<PropertyOverrideEntity[]> {
    return this.uow.read((em) =>
      em.find(PropertyOverrideEntity, { order: { accountId: 'ASC', key: 'ASC' } }),
    );
  }

  async upsert(em: EntityManager, accountId: string, key: string, value: string): Promise<void> {
    await em.upsert(PropertyOverrideEntity, { accountId, key, value }, ['accountId', 'key']);
  }

  async remove(em: EntityManager, accountId: string, key: string): Promise<boolean> {
    const result = await em.delete(PropertyOverrideEntity, { accountId, key });
    return (result.affected ?? 0) > 0;
  }
}
