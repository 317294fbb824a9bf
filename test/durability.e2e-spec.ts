import { adminCall } from './helpers/fleet';
import { ServerProcess, startServerProcess } from './helpers/server-process';
import { createWorkspace, openDatabase, TEST_ADMIN_TOKEN, TestWorkspace } from './helpers/test-app';

jest.setTimeout(90_000);

/**
 * "A 2xx answer to a write means it is committed", proven the way production breaks it:
 * parallel admin writers beside new-visitor load on a real process, then SIGTERM or kill -9,
 * then the database read directly; and account credentials and console sessions, created,
 * revoked and ended in parallel, then kill -9, then used again on the restarted process.
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

  /** A console sign-in with `token`: the session cookie (`name=value`), or null when refused. */
  const signIn = async (base: string, token: string) => {
    const res = await fetch(`${base}/admin/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    });
    await res.arrayBuffer();
    if (res.status !== 204) return { status: res.status, cookie: null };
    return { status: res.status, cookie: res.headers.getSetCookie()[0].split(';')[0] };
  };
  const session = (base: string, cookie: string) =>
    fetch(`${base}/admin/v1/session`, { headers: { cookie } }).then(async (res) => ({
      status: res.status,
      body: (await res.json()) as { csrfToken?: string },
    }));

  it('kill -9 right after parallel credential and console-session writes: each acknowledged one holds after the restart', async () => {
    const base = await start();
    const createCredential = async (name: string, role: string) => {
      const res = await call(base, 'POST', '/admin/v1/accounts/shop/credentials', { name, role });
      expect(res.status).toBe(201);
      return { id: res.body.id as string, token: res.body.token as string };
    };
    // Before the burst: credentials to revoke, and sessions to sign out.
    const toRevoke = await Promise.all(
      ['owner', 'reader', 'editor', 'backend'].map((role, i) => createCredential(`old-${i}`, role)),
    );
    const toEnd: string[] = [];
    for (let i = 0; i < 3; i++) toEnd.push((await signIn(base, TEST_ADMIN_TOKEN)).cookie!);

    const created: Array<{ id: string; token: string }> = [];
    const sessions: string[] = [];
    const revoked: string[] = [];
    const ended: string[] = [];
    const statuses: number[] = [];
    await Promise.all([
      // New credentials, each signed in with at once.
      ...['owner', 'editor', 'privacy', 'reader', 'backend', 'reader', 'owner', 'privacy'].map(
        async (role, i) => {
          const res = await call(base, 'POST', '/admin/v1/accounts/shop/credentials', {
            name: `burst-${i}`,
            role,
          });
          statuses.push(res.status);
          if (res.status !== 201) return;
          const credential = { id: res.body.id as string, token: res.body.token as string };
          created.push(credential);
          const signed = await signIn(base, credential.token);
          statuses.push(signed.status);
          if (signed.cookie) sessions.push(signed.cookie);
        },
      ),
      ...Array.from({ length: 6 }, async () => {
        const signed = await signIn(base, TEST_ADMIN_TOKEN);
        statuses.push(signed.status);
        if (signed.cookie) sessions.push(signed.cookie);
      }),
      ...toRevoke.map(async ({ id, token }) => {
        const res = await call(base, 'DELETE', `/admin/v1/accounts/shop/credentials/${id}`);
        statuses.push(res.status);
        if (res.status === 204) revoked.push(token);
      }),
      ...toEnd.map(async (cookie) => {
        const { body } = await session(base, cookie);
        const res = await fetch(`${base}/admin/v1/session`, {
          method: 'DELETE',
          headers: { cookie, 'x-pantry-csrf': body.csrfToken ?? '' },
        });
        await res.arrayBuffer();
        statuses.push(res.status);
        if (res.status === 204) ended.push(cookie);
      }),
    ]);
    server!.child.kill('SIGKILL');
    expect(await server!.exited).toBe('SIGKILL');
    expect(statuses.filter((s) => s >= 300)).toEqual([]);
    expect([created.length, sessions.length, revoked.length, ended.length]).toEqual([8, 14, 4, 3]);

    const again = await start();
    // Every credential answered 201 signs in; every revoked one is refused.
    for (const { token } of created) expect((await signIn(again, token)).status).toBe(204);
    for (const token of revoked) expect((await signIn(again, token)).status).toBe(401);
    // Every session signed in is still one; every session signed out stays ended.
    for (const cookie of sessions) expect((await session(again, cookie)).status).toBe(200);
    for (const cookie of ended) expect((await session(again, cookie)).status).toBe(401);
    expect(await server!.stop()).toBe('SIGTERM');
  });
});
