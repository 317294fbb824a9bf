import { DataSource } from 'typeorm';
import { UnitOfWork } from '../src/database/unit-of-work';
import { MAX_PENDING, VisitorRegistryService } from '../src/registry/visitor-registry.service';
import { BATCH_ROWS, VisitorRepository } from '../src/registry/visitor.repository';
import { useApp } from './helpers/test-app';

describe(VisitorRepository.name, () => {
  const pantry = useApp();

  it('upserts in batches: keeps the earliest firstSeen, the latest lastSeen and a known device', async () => {
    const ms = 1_763_800_000_123; // epoch milliseconds survive the JSON batch exactly
    const repo = pantry.app.get(VisitorRepository);
    const row = (over: object) => ({
      accountId: 'a',
      visitorId: 'v1',
      deviceId: 'd1' as string | null,
      consent: 'unset',
      firstSeen: ms + 2000,
      lastSeen: ms + 2000,
      ...over,
    });
    // More than one statement's worth.
    const many = Array.from({ length: BATCH_ROWS + 100 }, (_, i) => row({ visitorId: `bulk${i}` }));
    const uow = pantry.app.get(UnitOfWork);
    await uow.transaction((em) => repo.upsertMany(em, [row({}), ...many]));
    await uow.transaction((em) =>
      repo.upsertMany(em, [
        row({ firstSeen: ms + 1000, lastSeen: ms + 1500, deviceId: null, consent: 'granted' }),
      ]),
    );
    expect(await repo.find('a', 'v1')).toMatchObject({
      deviceId: 'd1',
      consent: 'granted',
      firstSeen: ms + 1000,
      lastSeen: ms + 2000,
    });
    const last = `bulk${BATCH_ROWS + 99}`;
    expect(await repo.find('a', last)).toMatchObject({ visitorId: last, deviceId: 'd1' });
    expect(await repo.find('a', 'bulk0')).toMatchObject({ firstSeen: ms + 2000 });
    expect(await repo.find('b', 'v1')).toBeNull();
  });

  it('never writes a sighting of an erased id back, whenever it is flushed', async () => {
    const repo = pantry.app.get(VisitorRepository);
    const uow = pantry.app.get(UnitOfWork);
    const seen = (visitorId: string) => ({
      accountId: 'a',
      visitorId,
      deviceId: null,
      consent: 'granted',
      firstSeen: 1,
      lastSeen: 1,
    });
    await uow.transaction((em) => repo.upsertMany(em, [seen('gone'), seen('kept')]));
    const registry = pantry.app.get(VisitorRegistryService);
    await uow.transaction((em) => registry.eraseIds(em, 'a', ['gone']));
    // A sighting queued before the erasure, flushed after it (as another node might).
    await uow.transaction((em) => repo.upsertMany(em, [seen('gone'), seen('kept'), seen('new')]));
    expect(await repo.find('a', 'gone')).toBeNull();
    expect(await repo.find('a', 'kept')).not.toBeNull();
    expect(await repo.find('a', 'new')).not.toBeNull();
    // Erased in one account only.
    await uow.transaction((em) => repo.upsertMany(em, [{ ...seen('gone'), accountId: 'b' }]));
    expect(await repo.find('b', 'gone')).not.toBeNull();
  });

  // What the SQLite connection is set to, stated rather than assumed (PostgreSQL has none of it).
  (process.env.PANTRY_TEST_DB === 'postgres' ? it.skip : it)(
    'runs SQLite in WAL mode, synchronous FULL, with a 16 MiB page cache and journals in memory',
    async () => {
      const ds = pantry.app.get(DataSource);
      const pragma = async (name: string) =>
        Object.values((await ds.query(`PRAGMA ${name}`))[0] as object)[0] as unknown;
      expect(await pragma('journal_mode')).toBe('wal');
      expect(await pragma('synchronous')).toBe(2); // FULL
      expect(await pragma('cache_size')).toBe(-16384); // KiB
      expect(await pragma('temp_store')).toBe(2); // MEMORY
    },
  );

  it(`holds at most ${MAX_PENDING} waiting visitors, counting what it drops`, () => {
    const registry = pantry.app.get(VisitorRegistryService);
    const before = registry.droppedCount;
    for (let i = 0; i < MAX_PENDING + 25; i++) registry.record('bound', `v${i}`, null, 'unset');
    // A visitor already waiting is still updated; only new ones are dropped.
    registry.record('bound', 'v1', 'device-1', 'granted');
    expect(registry.pendingCount).toBe(MAX_PENDING);
    expect(registry.droppedCount - before).toBe(25);
    registry.forgetAccount('bound');
    expect(registry.pendingCount).toBe(0);
  });
});
