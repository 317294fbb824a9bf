import { adminCall } from './helpers/fleet';
import { ServerProcess, startServerProcess } from './helpers/server-process';
import { createWorkspace, openDatabase, TEST_ADMIN_TOKEN, TestWorkspace } from './helpers/test-app';

jest.setTimeout(90_000);

/**
 * "A 2xx answer to a write means it is committed", proven the way production breaks it:
 * parallel admin writers beside new-visitor load on a real process, then SIGTERM or kill -9,
 * then the SQLite file read directly.
 */

const KEY = 'shop-key-0001';

const call = (base: string, method: string, path: string, body?: unknown) =>
  adminCall(base, method, path, body);

/** New visitors, as fast as a few clients can: each answered id with the time it was answered. */
function visitorLoad(base: string, clients = 6) {
  const answered = new Map<string, number>();
  let stop = false;
  const client = async () => {
    while (!stop) {
      try {
        const res = await fetch(`${base}/unblu/v1/identify?x-unblu-apikey=${KEY}`, {
          method: 'POST',
        });
        if (res.status === 200) {
          answered.set(((await res.json()) as { visitorId: string }).visitorId, Date.now());
        } else await res.arrayBuffer();
      } catch {
        await new Promise((r) => setTimeout(r, 5)); // refused once the server is gone
      }
    }
  };
  const clients$ = Array.from({ length: clients }, client);
  return {
    answered,
    stop: async () => {
      stop = true;
      await Promise.all(clients$);
    },
  };
}

interface Acknowledged {
  accounts: string[];
  keys: Array<{ accountId: string; key: string }>;
  overrides: Array<{ accountId: string; value: string }>;
  erased: string[];
  statuses: number[];
  duplicateStatuses: number[];
}

/**
 * Parallel admin writes of every kind: account creations each followed by an override and a
 * key, keys on a file account, erasures, and one id created five times at once.
 */
async function adminBurst(base: string, toErase: string[], tag: string): Promise<Acknowledged> {
  const ack: Acknowledged = {
    accounts: [],
    keys: [],
    overrides: [],
    erased: [],
    statuses: [],
    duplicateStatuses: [],
  };
  const account = async (i: number) => {
    const id = `${tag}-${i}`;
    const created = await call(base, 'POST', '/admin/v1/accounts', { id });
    ack.statuses.push(created.status);
    if (created.status !== 201) return;
    ack.accounts.push(id);
    const value = String(1000 + i);
    const put = await call(
      base,
      'PUT',
      `/admin/v1/accounts/${id}/properties/consent.cookieMaxAge`,
      {
        value,
      },
    );
    ack.statuses.push(put.status);
    if (put.status === 200) ack.overrides.push({ accountId: id, value });
    const key = await call(base, 'POST', `/admin/v1/accounts/${id}/apikeys`);
    ack.statuses.push(key.status);
    if (key.status === 201) ack.keys.push({ accountId: id, key: key.body.key as string });
  };
  const fileKey = async () => {
    const key = await call(base, 'POST', '/admin/v1/accounts/shop/apikeys');
    ack.statuses.push(key.status);
    if (key.status === 201) ack.keys.push({ accountId: 'shop', key: key.body.key as string });
  };
  const erase = async (visitorId: string) => {
    const res = await call(base, 'DELETE', `/admin/v1/accounts/shop/visitors/${visitorId}`);
    ack.statuses.push(res.status);
    if (res.status === 204) ack.erased.push(visitorId);
  };
  const duplicate = async () => {
    const res = await call(base, 'POST', '/admin/v1/accounts', { id: `${tag}-dup` });
    ack.duplicateStatuses.push(res.status);
  };
  await Promise.all([
    ...Array.from({ length: 20 }, (_, i) => account(i)),
    ...Array.from({ length: 8 }, fileKey),
    ...toErase.map(erase),
    ...Array.from({ length: 5 }, duplicate),
  ]);
  return ack;
}

async function readDatabase(ws: TestWorkspace) {
  const db = await openDatabase(ws);
  try {
    const q = <T>(sql: string) => db.query<T[]>(sql);
    return {
      accounts: new Set((await q<{ id: string }>(`SELECT "id" FROM "accounts"`)).map((r) => r.id)),
      keys: new Set(
        (
          await q<{ key: string; accountId: string }>(`SELECT "key", "accountId" FROM "api_keys"`)
        ).map((r) => `${r.accountId}/${r.key}`),
      ),
      overrides: new Set(
        (
          await q<{ accountId: string; value: string }>(
            `SELECT "accountId", "value" FROM "property_overrides" WHERE "key" = 'consent.cookieMaxAge'`,
          )
        ).map((r) => `${r.accountId}=${r.value}`),
      ),
      visitors: new Set(
        (await q<{ visitorId: string }>(`SELECT "visitorId" FROM "visitors"`)).map(
          (r) => r.visitorId,
        ),
      ),
      erased: new Set((await q<{ id: string }>(`SELECT "id" FROM "erased_ids"`)).map((r) => r.id)),
      audited: (await q<{ action: string }>(`SELECT "action" FROM "audit_log"`)).map(
        (r) => r.action,
      ),
    };
  } finally {
    await db.destroy();
  }
}

function expectAcknowledgedStored(
  ack: Acknowledged,
  stored: Awaited<ReturnType<typeof readDatabase>>,
) {
  expect(ack.statuses.filter((s) => s >= 300)).toEqual([]);
  expect(ack.accounts).toHaveLength(20);
  expect(ack.duplicateStatuses.sort()).toEqual([201, 409, 409, 409, 409]);
  expect(ack.accounts.filter((id) => !stored.accounts.has(id))).toEqual([]);
  expect(ack.keys.filter((k) => !stored.keys.has(`${k.accountId}/${k.key}`))).toEqual([]);
  expect(ack.overrides.filter((o) => !stored.overrides.has(`${o.accountId}=${o.value}`))).toEqual(
    [],
  );
  // Erasures stay: the record is gone and its id refused, whatever sightings were flushed.
  expect(ack.erased.filter((id) => stored.visitors.has(id))).toEqual([]);
  expect(ack.erased.filter((id) => !stored.erased.has(id))).toEqual([]);
  // Each change committed with its audit entry.
  const count = (action: string) => stored.audited.filter((a) => a === action).length;
  expect(count('account.create')).toBeGreaterThanOrEqual(21);
  expect(count('visitor.erase')).toBeGreaterThanOrEqual(ack.erased.length);
}

describe('No acknowledged write lost (real processes, on the project database)', () => {
  let ws: TestWorkspace;
  let server: ServerProcess | undefined;

  beforeEach(() => {
    ws = createWorkspace({
      accounts: { shop: [`account.apiKeys = ${KEY}`, 'consent.required = false'].join('\n') },
    });
  });
  afterEach(async () => {
    if (server && server.child.exitCode === null && server.child.signalCode === null) {
      await server.stop();
    }
    ws.remove();
  });

  const start = async () => {
    server = startServerProcess({
      PANTRY_CONFIG_DIR: ws.configDir,
      PANTRY_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    });
    return server.listening;
  };

  /** Visitors written to the database, to be erased during the burst. */
  const seedVisitors = async (base: string, n: number): Promise<string[]> => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const res = await fetch(`${base}/unblu/v1/identify?x-unblu-apikey=${KEY}`, {
        method: 'POST',
      });
      ids.push(((await res.json()) as { visitorId: string }).visitorId);
    }
    // Reading a visitor's record writes what is queued first.
    expect((await call(base, 'GET', `/admin/v1/accounts/shop/visitors/${ids[0]}`)).status).toBe(
      200,
    );
    return ids;
  };

  it('parallel writes beside new-visitor load, then SIGTERM: every answered write and sighting is stored', async () => {
    const base = await start();
    const toErase = await seedVisitors(base, 10);
    const load = visitorLoad(base);
    await new Promise((r) => setTimeout(r, 300));
    const ack = await adminBurst(base, toErase, 'term');
    await new Promise((r) => setTimeout(r, 300));
    expect(await server!.stop()).toBe('SIGTERM');
    await load.stop();

    const stored = await readDatabase(ws);
    expectAcknowledgedStored(ack, stored);
    const lost = [...load.answered.keys()].filter((id) => !stored.visitors.has(id));
    expect(load.answered.size).toBeGreaterThan(100);
    expect(lost).toEqual([]);
  });

  it('kill -9 right after a burst of parallel writes: every answered write survives, and the server writes again after restart', async () => {
    const base = await start();
    const toErase = await seedVisitors(base, 10);
    const load = visitorLoad(base);
    await new Promise((r) => setTimeout(r, 300));
    const ack = await adminBurst(base, toErase, 'kill');
    const killedAt = Date.now();
    server!.child.kill('SIGKILL');
    expect(await server!.exited).toBe('SIGKILL');
    await load.stop();

    const stored = await readDatabase(ws);
    expectAcknowledgedStored(ack, stored);
    // At most the last flush interval (1 s) of sightings may be lost (slack: timers and the
    // flush itself run late on a loaded machine).
    const lostEarly = [...load.answered].filter(
      ([id, at]) => !stored.visitors.has(id) && at < killedAt - 2_000,
    );
    expect(lostEarly).toEqual([]);

    // The same database after the crash: writes commit again.
    const again = await start();
    expect((await call(again, 'POST', '/admin/v1/accounts', { id: 'after-crash' })).status).toBe(
      201,
    );
    expect((await call(again, 'GET', '/health')).status).toBe(200);
    expect(await server!.stop()).toBe('SIGTERM');
    expect((await readDatabase(ws)).accounts.has('after-crash')).toBe(true);
  });
});
