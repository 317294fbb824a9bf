import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { UnitOfWork } from '../database/unit-of-work';
import { KeptCookieEntity } from './kept-cookie.entity';
import { KEEPER_LIMITS } from './keeper-adapters';

const COLUMNS = '"accountId", "visitorId", "name", "value", "updatedAt"';

/**
 * The batched upsert, one statement per dialect, its rows one JSON array of `[accountId,
 * visitorId, name, value, updatedAt]` (as the visitor registry writes sightings). Values of an
 * erased visitor are skipped by the statement itself, so a value learnt just before an erasure
 * never comes back whenever it is flushed. On PostgreSQL in key order, so that nodes flushing
 * the same visitors at once lock their rows in one order and never deadlock.
 */
function upsertSql(pg: boolean): string {
  const rows = pg
    ? `SELECT "r"->>0, "r"->>1, "r"->>2, "r"->>3, ("r"->>4)::bigint FROM json_array_elements($1::json) AS "j" ("r")`
    : `SELECT "value"->>0, "value"->>1, "value"->>2, "value"->>3, "value"->>4 FROM json_each(?)`;
  return (
    `WITH "learnt" (${COLUMNS}) AS (${rows}) ` +
    `INSERT INTO "kept_cookies" (${COLUMNS}) SELECT ${COLUMNS} FROM "learnt" ` +
    `WHERE NOT EXISTS (SELECT 1 FROM "erased_ids" "e" WHERE "e"."accountId" = "learnt"."accountId" AND "e"."id" = "learnt"."visitorId") ` +
    (pg ? `ORDER BY "accountId", "visitorId", "name" ` : '') +
    `ON CONFLICT ("accountId", "visitorId", "name") DO UPDATE SET "value" = excluded."value", "updatedAt" = excluded."updatedAt"`
  );
}

/**
 * Keeps each visitor of the batch (`[accountId, visitorId]` pairs as JSON) to its newest
 * KEEPER_LIMITS.cookies values: names seen over many requests (a wildcard adapter) stay bounded.
 */
function pruneSql(pg: boolean): string {
  const pairs = pg
    ? `SELECT "r"->>0, "r"->>1 FROM json_array_elements($1::json) AS "j" ("r")`
    : `SELECT "value"->>0, "value"->>1 FROM json_each(?)`;
  return (
    `DELETE FROM "kept_cookies" WHERE ("accountId", "visitorId") IN (${pairs}) AND ` +
    `(SELECT COUNT(*) FROM "kept_cookies" "k" WHERE "k"."accountId" = "kept_cookies"."accountId" AND "k"."visitorId" = "kept_cookies"."visitorId" ` +
    `AND ("k"."updatedAt" > "kept_cookies"."updatedAt" OR ("k"."updatedAt" = "kept_cookies"."updatedAt" AND "k"."name" < "kept_cookies"."name"))) >= ${KEEPER_LIMITS.cookies}`
  );
}

const SQL = {
  sqlite: { upsert: upsertSql(false), prune: pruneSql(false) },
  postgres: { upsert: upsertSql(true), prune: pruneSql(true) },
};

/** The kept cookies; every query filters by account. */
@Injectable()
export class KeptCookieRepository {
  constructor(private readonly uow: UnitOfWork) {}

  /** Writes a batch of learnt values and bounds the visitors it names. */
  async upsertMany(em: EntityManager, rows: readonly KeptCookieEntity[]): Promise<void> {
    if (rows.length === 0) return;
    const sql = em.connection.options.type === 'postgres' ? SQL.postgres : SQL.sqlite;
    await em.query(sql.upsert, [
      JSON.stringify(rows.map((r) => [r.accountId, r.visitorId, r.name, r.value, r.updatedAt])),
    ]);
    const visitors = new Map(rows.map((r) => [`${r.accountId}\u0000${r.visitorId}`, r]));
    await em.query(sql.prune, [
      JSON.stringify([...visitors.values()].map((r) => [r.accountId, r.visitorId])),
    ]);
  }

  /** A visitor's kept values, newest first. */
  find(accountId: string, visitorId: string): Promise<KeptCookieEntity[]> {
    return this.uow.read((em) =>
      em.find(KeptCookieEntity, {
        where: { accountId, visitorId },
        order: { updatedAt: 'DESC', name: 'ASC' },
        take: KEEPER_LIMITS.cookies,
      }),
    );
  }

  /** Deletes a visitor's kept values (consent revoked). */
  delete(accountId: string, visitorId: string): Promise<void> {
    return this.uow.transaction(async (em) => {
      await em.delete(KeptCookieEntity, { accountId, visitorId });
    });
  }
}
