import { Injectable } from '@nestjs/common';
import { EntityManager, MoreThanOrEqual } from 'typeorm';
import { UnitOfWork } from '../database/unit-of-work';
import { ErasedIdEntity } from './erased-id.entity';
import { VisitorEntity } from './visitor.entity';

/**
 * Rows per statement, one flush's worth. A batch travels as one JSON parameter (about 100 bytes
 * a row), built on the event loop just before its statement: a few milliseconds for 5,000 rows.
 * Statements of 1,000 rows, taking turns with requests, gave 3% fewer new visitors a second
 * and no better p99 (docs/BENCHMARKS.md).
 */
export const BATCH_ROWS = 5_000;
const COLUMNS =
  '"accountId", "visitorId", "deviceId", "consent", "firstSeen", "lastSeen", "consentSource", "consentPurposes", "consentAt"';
/** A recorded consent decision replaces the row's when it is as new or newer (nodes race). */
const DECIDED = ['consentSource', 'consentPurposes', 'consentAt']
  .map(
    (c) =>
      `"${c}" = CASE WHEN excluded."consentAt" IS NOT NULL AND ("visitors"."consentAt" IS NULL OR excluded."consentAt" >= "visitors"."consentAt") THEN excluded."${c}" ELSE "visitors"."${c}" END`,
  )
  .join(', ');

/**
 * The batched upsert, one statement per dialect. The rows arrive as one JSON array of
 * `[accountId, visitorId, deviceId, consent, firstSeen, lastSeen]` and the database unpacks
 * it: one parameter to bind and a statement that is the same text for every batch, where a
 * parameter per value cost 2,400 bindings and a new 400-row statement to parse per 400 visitors.
 * SQLite: json_each and scalar MAX/MIN; PostgreSQL: json_array_elements, typed, and
 * GREATEST/LEAST. Erased ids are skipped by the statement itself. On PostgreSQL the rows are
 * written in key order (byte order, `COLLATE "C"`, as `byKey` sorts): nodes flushing the same
 * returning visitors at once then lock their rows in one order, where batches in arrival order
 * deadlocked (PostgreSQL aborts one of them after deadlock_timeout; at a node's last flush that
 * batch was lost).
 */
function upsertSql(pg: boolean): string {
  const seen = pg
    ? `SELECT "r"->>0, "r"->>1, "r"->>2, "r"->>3, ("r"->>4)::bigint, ("r"->>5)::bigint, "r"->>6, "r"->>7, ("r"->>8)::bigint FROM json_array_elements($1::json) AS "j" ("r")`
    : `SELECT "value"->>0, "value"->>1, "value"->>2, "value"->>3, "value"->>4, "value"->>5, "value"->>6, "value"->>7, "value"->>8 FROM json_each(?)`;
  const [max, min] = pg ? ['GREATEST', 'LEAST'] : ['MAX', 'MIN'];
  return (
    `WITH "seen" (${COLUMNS}) AS (${seen}) ` +
    `INSERT INTO "visitors" (${COLUMNS}) SELECT ${COLUMNS} FROM "seen" ` +
    `WHERE NOT EXISTS (SELECT 1 FROM "erased_ids" "e" WHERE "e"."accountId" = "seen"."accountId" AND "e"."id" = "seen"."visitorId") ` +
    (pg ? `ORDER BY "accountId" COLLATE "C", "visitorId" COLLATE "C" ` : '') +
    `ON CONFLICT ("accountId", "visitorId") DO UPDATE SET "deviceId" = COALESCE(excluded."deviceId", "visitors"."deviceId"), "consent" = excluded."consent", "lastSeen" = ${max}("visitors"."lastSeen", excluded."lastSeen"), "firstSeen" = ${min}("visitors"."firstSeen", excluded."firstSeen"), ${DECIDED}`
  );
}
const UPSERT = { sqlite: upsertSql(false), postgres: upsertSql(true) };

/** The statement's key order (`COLLATE "C"`: the ids are ASCII, compared as code units). */
function byKey(a: VisitorEntity, b: VisitorEntity): number {
  if (a.accountId !== b.accountId) return a.accountId < b.accountId ? -1 : 1;
  return a.visitorId < b.visitorId ? -1 : a.visitorId > b.visitorId ? 1 : 0;
}

/** Visitor records and erased ids; every query filters by account. */
@Injectable()
export class VisitorRepository {
  constructor(private readonly uow: UnitOfWork) {}

  /**
   * Inserts or updates visitors; firstSeen keeps the earliest value. The statement itself
   * skips erased ids, so a sighting queued before an erasure can never bring the record back,
   * whenever it is flushed. Plain SQL with bound parameters: at thousands of rows a second,
   * the query builder's work on the event loop showed in the benchmark.
   */
  async upsertMany(em: EntityManager, rows: readonly VisitorEntity[]): Promise<void> {
    const pg = em.connection.options.type === 'postgres';
    const sql = pg ? UPSERT.postgres : UPSERT.sqlite;
    // More than one statement (a queue that grew while the database was away): the whole
    // transaction locks in key order only if the statements split the rows in that order too.
    const ordered = pg && rows.length > BATCH_ROWS ? [...rows].sort(byKey) : rows;
    for (let i = 0; i < ordered.length; i += BATCH_ROWS) {
      const batch = ordered.slice(i, i + BATCH_ROWS);
      const json = JSON.stringify(
        batch.map((r) => [
          r.accountId,
          r.visitorId,
          r.deviceId,
          r.consent,
          r.firstSeen,
          r.lastSeen,
          r.consentSource ?? null,
          r.consentPurposes ?? null,
          r.consentAt ?? null,
        ]),
      );
      await em.query(sql, [json]);
    }
  }

  find(accountId: string, visitorId: string): Promise<VisitorEntity | null> {
    return this.uow.read((em) => em.findOneBy(VisitorEntity, { accountId, visitorId }));
  }

  findIn(em: EntityManager, accountId: string, visitorId: string): Promise<VisitorEntity | null> {
    return em.findOneBy(VisitorEntity, { accountId, visitorId });
  }

  /** Marks ids erased (the rows they named are the erasure's to delete: database/erasure.ts). */
  async insertErased(em: EntityManager, accountId: string, ids: readonly string[]): Promise<void> {
    const erasedAt = Date.now();
    await em
      .createQueryBuilder()
      .insert()
      .into(ErasedIdEntity)
      .values(ids.map((id) => ({ accountId, id, erasedAt })))
      .orIgnore()
      .execute();
  }

  findErasedSince(since: number): Promise<ErasedIdEntity[]> {
    return this.uow.read((em) =>
      em.find(ErasedIdEntity, {
        where: { erasedAt: MoreThanOrEqual(since) },
        order: { erasedAt: 'ASC' },
      }),
    );
  }
}
