import { Injectable } from '@nestjs/common';
import { DataSource, MoreThanOrEqual } from 'typeorm';
import { ErasedIdEntity } from './erased-id.entity';
import { VisitorEntity } from './visitor.entity';

const BATCH_ROWS = 400;

/** Visitor records and erased ids; every query filters by account. */
@Injectable()
export class VisitorRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Inserts or updates visitors in one transaction; firstSeen keeps the earliest value. */
  async upsertMany(rows: readonly VisitorEntity[]): Promise<void> {
    if (rows.length === 0) return;
    await this.dataSource.transaction(async (em) => {
      for (let i = 0; i < rows.length; i += BATCH_ROWS) {
        await em
          .createQueryBuilder()
          .insert()
          .into(VisitorEntity)
          .values(rows.slice(i, i + BATCH_ROWS))
          .orUpdate(['deviceId', 'consent', 'lastSeen'], ['accountId', 'visitorId'])
          .execute();
      }
    });
  }

  find(accountId: string, visitorId: string): Promise<VisitorEntity | null> {
    return this.dataSource.getRepository(VisitorEntity).findOneBy({ accountId, visitorId });
  }

  /** Deletes the visitor's record and marks its ids erased; returns the erased ids. */
  async erase(accountId: string, ids: readonly string[], visitorId: string): Promise<void> {
    const erasedAt = Date.now();
    await this.dataSource.transaction(async (em) => {
      await em.delete(VisitorEntity, { accountId, visitorId });
      await em
        .createQueryBuilder()
        .insert()
        .into(ErasedIdEntity)
        .values(ids.map((id) => ({ accountId, id, erasedAt })))
        .orIgnore()
        .execute();
    });
  }

  findErasedSince(since: number): Promise<ErasedIdEntity[]> {
    return this.dataSource
      .getRepository(ErasedIdEntity)
      .find({ where: { erasedAt: MoreThanOrEqual(since) }, order: { erasedAt: 'ASC' } });
  }
}
