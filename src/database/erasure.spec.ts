import { EntityManager } from 'typeorm';
import { Erasure } from './erasure';

/** Records the deletes an erasure issues; `affected` rows for each. */
function recorder(affected: number) {
  const deletes: Array<[string, Record<string, string>]> = [];
  const em = {
    delete: (entity: string, where: Record<string, string>) => {
      deletes.push([entity, where]);
      return Promise.resolve({ affected });
    },
  } as unknown as EntityManager;
  return { em, deletes };
}

describe(Erasure.name, () => {
  const erasure = new Erasure();
  const hooks: string[] = [];
  erasure.register(
    { entity: 'visitors', account: 'accountId', visitor: 'visitorId' },
    { entity: 'links', account: 'accountId', visitor: 'visitorId' },
    { entity: 'links', account: 'linkedAccountId', visitor: 'linkedVisitorId' },
  );
  erasure.register({ entity: 'keys', account: 'accountId' });
  erasure.register({ entity: 'credentials', account: 'accountId', grantsAccess: true });
  erasure.register({
    entity: 'sessions',
    account: 'accountId',
    visitor: 'visitorId',
    erased: () => Promise.resolve(void hooks.push('sessions')),
  });

  it.each<[string, (e: Erasure, em: EntityManager) => Promise<void>, unknown[]]>([
    [
      'a visitor: its rows in every table naming a visitor, each pair of columns, none of the account’s own',
      (e, em) => e.eraseVisitor(em, 'shop', 'v1'),
      [
        ['visitors', { accountId: 'shop', visitorId: 'v1' }],
        ['links', { accountId: 'shop', visitorId: 'v1' }],
        ['links', { linkedAccountId: 'shop', linkedVisitorId: 'v1' }],
        ['sessions', { accountId: 'shop', visitorId: 'v1' }],
      ],
    ],
    [
      'an account: every registered table, by each account column',
      (e, em) => e.eraseAccount(em, 'shop'),
      [
        ['visitors', { accountId: 'shop' }],
        ['links', { accountId: 'shop' }],
        ['links', { linkedAccountId: 'shop' }],
        ['keys', { accountId: 'shop' }],
        ['credentials', { accountId: 'shop' }],
        ['sessions', { accountId: 'shop' }],
      ],
    ],
    [
      'the access an earlier account of the id granted, before a new one: its credentials only',
      (e, em) => e.revokeEarlierAccess(em, 'shop'),
      [['credentials', { accountId: 'shop' }]],
    ],
  ])('erases %s', async (_what, erase, expected) => {
    const { em, deletes } = recorder(1);
    await erase(erasure, em);
    expect(deletes).toEqual(expected);
  });

  it('tells a table’s owner once its rows went, and only when there were some', async () => {
    hooks.length = 0;
    await erasure.eraseVisitor(recorder(0).em, 'shop', 'v1');
    expect(hooks).toEqual([]);
    await erasure.eraseVisitor(recorder(2).em, 'shop', 'v1');
    expect(hooks).toEqual(['sessions']);
  });
});
