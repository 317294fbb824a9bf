import { Subject } from 'rxjs';
import type { UnitOfWork } from '../database/unit-of-work';
import type { VisitorRegistryService } from '../registry/visitor-registry.service';
import type { KeptCookieEntity } from './kept-cookie.entity';
import type { KeptCookieRepository } from './kept-cookie.repository';
import { COMPLETE_FOR_MS, KeeperService } from './keeper.service';

/** A KeeperService on an in-memory table (the e2e suites run it on both databases). */
function keeperOn(rows: KeptCookieEntity[] = []) {
  const calls = { find: 0, upserts: [] as KeptCookieEntity[][] };
  const repository = {
    find: async (accountId: string, visitorId: string) => {
      calls.find++;
      await Promise.resolve();
      return rows.filter((r) => r.accountId === accountId && r.visitorId === visitorId);
    },
    upsertMany: (_em: unknown, batch: KeptCookieEntity[]) => {
      calls.upserts.push(batch);
      return Promise.resolve();
    },
  } as unknown as KeptCookieRepository;
  const uow = { transaction: (work: (em: unknown) => unknown) => work({}) } as UnitOfWork;
  const registry = { erasures: new Subject<string>() } as unknown as VisitorRegistryService;
  return { keeper: new KeeperService(repository, uow, registry), calls };
}

const ga = (value: string) => ({ adapter: 'ga', name: '_ga', value });

describe(KeeperService.name, () => {
  it('writes a value once: the same value again queues nothing', async () => {
    const { keeper, calls } = keeperOn();
    keeper.learn('a', 'v', [ga('GA1.1.1.1')]);
    keeper.learn('a', 'v', [ga('GA1.1.1.1')]);
    await keeper.flush();
    keeper.learn('a', 'v', [ga('GA1.1.1.1')]);
    await keeper.flush();
    expect(calls.upserts.map((b) => b.map((r) => r.value))).toEqual([['GA1.1.1.1']]);
    keeper.learn('a', 'v', [ga('GA1.1.2.2')]);
    await keeper.flush();
    expect(calls.upserts).toHaveLength(2);
  });

  it('looks a visitor up once for requests at the same time, and trusts it a while', async () => {
    const row = { accountId: 'a', visitorId: 'v', name: '_ga', value: 'GA1.1.1.1', updatedAt: 1 };
    const { keeper, calls } = keeperOn([row]);
    expect(keeper.storedIfKnown('a', 'v')).toBeNull();
    const [one, two] = await Promise.all([keeper.lookup('a', 'v'), keeper.lookup('a', 'v')]);
    expect(calls.find).toBe(1);
    expect(one).toEqual([['_ga', 'GA1.1.1.1']]);
    expect(two).toEqual(one);
    expect(keeper.storedIfKnown('a', 'v')).toEqual(one);
    const now = Date.now();
    jest.spyOn(Date, 'now').mockReturnValue(now + COMPLETE_FOR_MS + 1);
    try {
      expect(keeper.storedIfKnown('a', 'v')).toBeNull();
    } finally {
      jest.restoreAllMocks();
    }
  });

  it('keeps at most 16 values a visitor, the newest', async () => {
    const { keeper } = keeperOn();
    const names = Array.from({ length: 20 }, (_, i) => `_sp_id.${String(1000 + i)}`);
    for (const name of names)
      keeper.learn('a', 'v', [{ adapter: 'snowplow', name, value: 'x.1.1.1' }]);
    const stored = await keeper.lookup('a', 'v');
    expect(stored.map(([name]) => name)).toEqual(names.slice(4));
  });

  it('remembers a refresh only for the same Cookie header and settings', () => {
    const { keeper } = keeperOn();
    const settings = [{ adapter: 'ga' as const }];
    const writes = [{ ...ga('GA1.1.1.1'), outcome: 'kept' as const }];
    keeper.learn('a', 'v', [ga('GA1.1.1.1')]);
    keeper.rememberRefresh('a', 'v', '_ga=GA1.1.1.1', settings, writes);
    expect(keeper.lastRefresh('a', 'v', '_ga=GA1.1.1.1', settings)).toBe(writes);
    expect(keeper.lastRefresh('a', 'v', '_ga=GA1.1.2.2', settings)).toBeNull();
    expect(keeper.lastRefresh('a', 'v', '_ga=GA1.1.1.1', [...settings])).toBeNull();
    expect(keeper.lastRefresh('a', 'w', '_ga=GA1.1.1.1', settings)).toBeNull();
  });
});
