import { DataSource } from 'typeorm';
import { consumeOnce, issueOnce, purgeExpired } from '../src/database/consume-once';
import { UnitOfWork } from '../src/database/unit-of-work';
import { openDatabase, useApp } from './helpers/test-app';

/**
 * The "consume once" helper, raced from two separate connections to the project database
 * (two nodes, as far as the database can tell), on SQLite and on PostgreSQL.
 */
describe('consume once', () => {
  const pantry = useApp(); // applies the migrations
  let other: DataSource;
  beforeAll(async () => {
    other = await openDatabase(pantry.ws);
  });
  afterAll(async () => {
    await other.destroy();
  });

  const token = (id: string, over: Partial<{ accountId: string; expiresAt: number }> = {}) => ({
    id,
    accountId: 'shop',
    purpose: 'bridge',
    payload: JSON.stringify({ visitorId: `visitor-of-${id}` }),
    expiresAt: Date.now() + 60_000,
    ...over,
  });

  it('one winner per token when two nodes consume it at the same moment', async () => {
    const uow = pantry.app.get(UnitOfWork);
    const ids = Array.from({ length: 12 }, (_, i) => `race-${i}`);
    for (const id of ids) await uow.transaction((em) => issueOnce(em, token(id)));
    for (const id of ids) {
      const [a, b] = await Promise.all([
        uow.transaction((em) => consumeOnce(em, 'shop', 'bridge', id)),
        other.transaction((em) => consumeOnce(em, 'shop', 'bridge', id)),
      ]);
      const winners = [a, b].filter((r) => r.ok);
      expect(winners).toEqual([
        { ok: true, payload: JSON.stringify({ visitorId: `visitor-of-${id}` }) },
      ]);
      expect([a, b].filter((r) => !r.ok)).toEqual([{ ok: false, reason: 'used' }]);
    }
  });

  it.each<[string, () => Promise<unknown>, string]>([
    ['unknown', () => Promise.resolve(), 'invalid'],
    [
      'issued for another account',
      () => issue(token('t-acct', { accountId: 'news' })),
      'wrong_account',
    ],
    ['expired', () => issue(token('t-exp', { expiresAt: Date.now() - 1 })), 'expired'],
  ])('refuses a token that is %s', async (_what, setup, reason) => {
    await setup();
    const id = { invalid: 'nope', wrong_account: 't-acct', expired: 't-exp' }[reason]!;
    const result = await pantry.app
      .get(UnitOfWork)
      .transaction((em) => consumeOnce(em, 'shop', 'bridge', id));
    expect(result).toEqual({ ok: false, reason });
  });

  it('never serves another purpose, and purges expired tokens', async () => {
    const uow = pantry.app.get(UnitOfWork);
    await issue(token('t-purpose'));
    expect(await uow.transaction((em) => consumeOnce(em, 'shop', 'login', 't-purpose'))).toEqual({
      ok: false,
      reason: 'invalid',
    });
    expect(await uow.transaction((em) => purgeExpired(em, Date.now()))).toBeGreaterThanOrEqual(1);
    expect(await uow.transaction((em) => consumeOnce(em, 'shop', 'bridge', 't-exp'))).toEqual({
      ok: false,
      reason: 'invalid',
    });
  });

  function issue(t: ReturnType<typeof token>) {
    return pantry.app.get(UnitOfWork).transaction((em) => issueOnce(em, t));
  }
});
