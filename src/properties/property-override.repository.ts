import { Injectable } from '@nestjs/common';
import { DataSource, Repository } from 'typeorm';
import { PropertyOverrideEntity } from './property-override.entity';

/** Admin-API property overrides; every query is per account. */
@Injectable()
export class PropertyOverrideRepository {
  private readonly repo: Repository<PropertyOverrideEntity>;

  constructor(dataSource: DataSource) {
    this.repo = dataSource.getRepository(PropertyOverrideEntity);
  }

  findAll(): Promise<PropertyOverrideEntity[]> {
    return this.repo.find({ order: { accountId: 'ASC', key: 'ASC' } });
  }

  findByAccount(accountId: string): Promise<PropertyOverrideEntity[]> {
    return this.repo.find({ where: { accountId }, order: { key: 'ASC' } });
  }

  async upsert(accountId: string, key: string, value: string): Promise<void> {
    await this.repo.upsert({ accountId, key, value }, ['accountId', 'key']);
  }

  async remove(accountId: string, key: string): Promise<boolean> {
    const result = await this.repo.delete({ accountId, key });
    return (result.affected ?? 0) > 0;
  }

  async removeAccount(accountId: string): Promise<void> {
    await this.repo.delete({ accountId });
  }
}
