import request from 'supertest';
import { AccountRepository } from '../src/tenants/account.repository';
import { TenantService } from '../src/tenants/tenant.service';
import { TEST_ADMIN_TOKEN, useApp } from './helpers/test-app';

/**
 * The tenants' backstop re-read (every node, every few seconds) reads one row, the tenant
 * revision, and the tables only when a change to accounts, keys or overrides moved it.
 */
describe('tenant refresh', () => {
  let tableReads: jest.SpyInstance;
  const as = (t: request.Test) => t.set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`);
  const api = () => pantry.http();

  const pantry = useApp({
    accounts: { shop: 'account.apiKeys = shop-key-0001\nconsent.required = false' },
  });
  beforeAll(() => {
    tableReads = jest.spyOn(AccountRepository.prototype, 'findAllAccounts');
  });

  afterAll(() => {
    jest.restoreAllMocks();
  });

  it('does not re-read the tables while nothing changed', async () => {
    tableReads.mockClear();
    const tenants = pantry.app.get(TenantService);
    for (let i = 0; i < 5; i++) await tenants.refresh();
    expect(tableReads).not.toHaveBeenCalled();
  });

  it.each<[string, () => request.Test]>([
    ['an account created', () => as(api().post('/admin/v1/accounts')).send({ id: 'acme' })],
    ['an API key added', () => as(api().post('/admin/v1/accounts/shop/apikeys'))],
    [
      'an override set',
      () =>
        as(api().put('/admin/v1/accounts/shop/properties/consent.required')).send({
          value: 'true',
        }),
    ],
    [
      'an override removed',
      () => as(api().delete('/admin/v1/accounts/shop/properties/consent.required')),
    ],
    ['an account deleted', () => as(api().delete('/admin/v1/accounts/acme'))],
  ])('re-reads them once after %s', async (_what, change) => {
    const before = await pantry.app.get(AccountRepository).tenantRevision();
    tableReads.mockClear();
    const res = await change();
    expect(res.status).toBeLessThan(300);
    expect(await pantry.app.get(AccountRepository).tenantRevision()).not.toBe(before);
    const reads = tableReads.mock.calls.length;
    expect(reads).toBe(1); // the writer's own refresh
    await pantry.app.get(TenantService).refresh();
    expect(tableReads.mock.calls.length).toBe(reads);
  });

  it('re-reads them once when refreshes meet a write (the timer, a notification), and the write is answered with it read', async () => {
    const tenants = pantry.app.get(TenantService);
    for (let round = 0; round < 5; round++) {
      tableReads.mockClear();
      const id = `meet-${round}`;
      const known = () => tenants.current.stored.accounts.some((a) => a.id === id);
      const [answer] = await Promise.all([
        as(api().post('/admin/v1/accounts'))
          .send({ id })
          .then((res) => ({ status: res.status, known: known() })),
        tenants.refresh(),
        tenants.refresh(),
        // the write's own refresh, and then these, each while the others read
        new Promise((r) => setTimeout(r, round)).then(() => tenants.refresh()),
      ]);
      expect(answer).toEqual({ status: 201, known: true });
      expect(tableReads.mock.calls.length).toBe(1);
    }
  });
});
