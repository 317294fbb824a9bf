import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { UnitOfWork } from '../database/unit-of-work';
import { AuditEntryEntity } from './audit-entry.entity';

export interface AuditRecord {
  readonly actor: string;
  readonly action: string;
  readonly accountId?: string | null;
  readonly target?: string | null;
  /** Never a secret: callers pass keys, ids and non-secret values only. */
  readonly details?: Record<string, unknown>;
}

interface AuditEntry {
  readonly id: number;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly accountId: string | null;
  readonly target: string | null;
  readonly details: Record<string, unknown> | null;
}

/**
 * The audit log of admin changes, in the shared database. An entry is written in the unit of
 * work of the change it records, so both commit or neither does.
 */
@Injectable()
export class AuditService {
  constructor(private readonly uow: UnitOfWork) {}

  async record(em: EntityManager, entry: AuditRecord): Promise<void> {
    await em.insert(AuditEntryEntity, {
      at: Date.now(),
      actor: entry.actor,
      action: entry.action,
      accountId: entry.accountId ?? null,
      target: entry.target ?? null,
      details: entry.details ? JSON.stringify(entry.details) : null,
    });
  }

  /** Newest first. */
  async list(filter: {
    accountId?: string;
    limit: number;
    beforeId?: number;
  }): Promise<AuditEntry[]> {
    const rows = await this.uow.read((em) => {
      const qb = em
        .createQueryBuilder(AuditEntryEntity, 'a')
        .orderBy('a.id', 'DESC')
        .limit(filter.limit);
      if (filter.accountId)
        qb.andWhere('a.accountId = :accountId', { accountId: filter.accountId });
      if (filter.beforeId) qb.andWhere('a.id < :beforeId', { beforeId: filter.beforeId });
      return qb.getMany();
    });
    return rows.map((r) => ({
      id: r.id,
      at: new Date(r.at).toISOString(),
      actor: r.actor,
      action: r.action,
      accountId: r.accountId,
      target: r.target,
      details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : null,
    }));
  }
}
