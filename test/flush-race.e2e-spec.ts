/**
 * Several nodes flush the same returning visitors' sightings (and kept cookies) at once, each
 * batch in its own order. On PostgreSQL, rows written in arrival order deadlocked: PostgreSQL
 * aborts one statement after deadlock_timeout, and at a node's last flush that batch was lost
 * (the HAProxy fleet's rolling restart found 120 lost sightings so). The statements write in key
 * order; here three connections, as three nodes, upsert overlapping batches in shuffled orders for a
 * few seconds, and every statement must commit. PostgreSQL only: SQLite runs one writer at a time.
 */
import type { DataSource } from 'typeorm';
import { KeptCookieRepository } from '../src/keeper/kept-cookie.repository';
import { BATCH_ROWS, VisitorRepository } from '../src/registry/visitor.repository';
import type { VisitorEntity } from '../src/registry/visitor.entity';
import type { KeptCookieEntity } from '../src/keeper/kept-cookie.entity';
import { openDatabase, useApp } from './helpers/test-app';

jest.setTimeout(60_000);

const onPostgres = process.env.PANTRY_TEST_DB === 'postgres';
const IDS = Array.from(
  { length: BATCH_ROWS * 2 + 1_000 },
  (_, i) => `visitor-${String(i).padStart(5, '0')}`,
);

/** A random `size` of the ids, in a random order: one node's queue of a second. */
function someIds(size: number): string[] {
  const ids = [...IDS];
  for (let i = ids.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [ids[i], ids[j]] = [ids[j], ids[i]];
  }
  return ids.slice(0, size);
}

(onPostgres ? describe : describe.skip)('flushes of several nodes at once (PostgreSQL)', () => {
  const pantry = useApp({ accounts: { shop: 'account.apiKeys = shop-key-0001' } });
  let nodes: DataSource[] = [];
  beforeAll(async () => {
    nodes = await Promise.all([0, 1, 2].map(() => openDatabase(pantry.ws)));
  });
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.destroy()));
  });

  /** Each node writes its batches for `ms`; the statements that failed, with why. */
  async function race(write: (node: DataSource) => Promise<void>, ms: number) {
    const failed: string[] = [];
    let committed = 0;
    const until = Date.now() + ms;
    await Promise.all(
      nodes.map(async (node) => {
        while (Date.now() < until) {
          try {
            await write(node);
            committed++;
          } catch (e) {
            failed.push(String(e));
          }
        }
      }),
    );
    return { committed, failed };
  }

  const sightings = (size: number) => (node: DataSource) =>
    node.transaction((em) =>
      pantry.app.get(VisitorRepository).upsertMany(
        em,
        someIds(size).map((visitorId): VisitorEntity => ({
          accountId: 'shop',
          visitorId,
          deviceId: null,
          consent: 'none',
          firstSeen: Date.now(),
          lastSeen: Date.now(),
        })),
      ),
    );
  const keptCookies = (size: number) => (node: DataSource) =>
    node.transaction((em) =>
      pantry.app.get(KeptCookieRepository).upsertMany(
        em,
        someIds(size).flatMap((visitorId): KeptCookieEntity[] =>
          ['_ga', 'ajs_anonymous_id'].map((name) => ({
            accountId: 'shop',
            visitorId,
            name,
            value: `v-${Date.now()}`,
            updatedAt: Date.now(),
          })),
        ),
      ),
    );

  // Unordered, such batches deadlocked within the first second (deadlock_timeout).
  it.each([
    ['sightings', sightings(1_500)],
    // After the database was away: a queue of more than one statement (BATCH_ROWS) per flush.
    ['sightings, several statements per flush', sightings(BATCH_ROWS * 2 + 500)],
    ['kept cookies', keptCookies(1_000)],
  ])('%s: every batch commits, none deadlocks', async (_what, write) => {
    const result = await race(write, 4_000);
    expect(result.failed).toEqual([]);
    expect(result.committed).toBeGreaterThan(5);
  });
});
