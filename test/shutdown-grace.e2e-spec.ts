import { SignJWT } from 'jose';
import { Agent } from 'node:http';
import { connect, Socket } from 'node:net';
import { drainServer } from '../src/http/http-server';
import { AgentAnswer, agentRequest } from './helpers/raw-http';
import { ServerProcess, startServerProcess } from './helpers/server-process';
import {
  createWorkspace,
  openDatabase,
  startApp,
  TEST_ADMIN_TOKEN,
  TestWorkspace,
} from './helpers/test-app';

jest.setTimeout(120_000);

/**
 * SPEC §13 "Shutdown within the grace", on a real process: keep-alive clients of every kind
 * (visitors, admin writers, logins, bridges) beside new-visitor load, then SIGTERM. The process
 * must exit within `server.shutdownTimeoutSeconds` with every acknowledged write stored, also
 * when an orchestrator sends SIGKILL 30 s after SIGTERM, and must exit within the grace even
 * when a request can never finish.
 */

const KEY = 'shop-key-0001';
const SECRET = 'shop-assertion-secret-0123456789-abcdef';
const SHOP = 'https://www.shop.com';
const CHECKOUT = 'https://www.checkout-shop.net';
const IDENTIFY = `/unblu/v1/identify?x-unblu-apikey=${KEY}`;

type Answer = AgentAnswer;

/** One request on a keep-alive agent (loopback). */
function send(
  agent: Agent,
  base: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: unknown,
): Promise<Answer> {
  return agentRequest(agent, `${base}${path}`, { method, headers, body, timeoutMs: 20_000 });
}

/** The cookies an answer set, as a Cookie header. */
const cookiesOf = (answer: Answer): string =>
  (answer.headers['set-cookie'] ?? []).map((line) => line.split(';')[0]).join('; ');

/** A bridge token for the visitor an identify answer (on the shop) made. */
const issueBridge = (agent: Agent, base: string, visit: Answer) =>
  send(
    agent,
    base,
    'POST',
    `/unblu/v1/bridge?x-unblu-apikey=${KEY}`,
    { origin: SHOP, cookie: cookiesOf(visit) },
    { to: `${CHECKOUT}/` },
  );

let jti = 0;
const assertion = (sub: string) => {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sub, aud: 'shop', iat: now, exp: now + 120, jti: `j-${++jti}` })
    .setProtectedHeader({ alg: 'HS256' })
    .sign(new TextEncoder().encode(SECRET));
};

/** What the server acknowledged (2xx), to be found in the database after it exited. */
interface Acknowledged {
  visitors: Set<string>;
  accounts: string[];
  overrides: string[];
  logins: Array<{ customerId: string; visitorId: string }>;
  bridgeIssued: string[];
  bridged: string[];
  /** Answers other than 2xx and the expected refusals: none expected before SIGTERM. */
  unexpected: string[];
}

/**
 * Clients of every kind, each on its own keep-alive agent, looping until `stop()`; a loop
 * that meets a network error (the server closed or refused the connection) ends: the node is
 * going away. `followers` keep sending after SIGTERM until that happens (a proxy still
 * forwarding); the others stop sending at SIGTERM and leave their idle connections open, as an
 * orchestrator's proxy does with its upstream keep-alive pool.
 */
function clients(base: string) {
  const ack: Acknowledged = {
    visitors: new Set(),
    accounts: [],
    overrides: [],
    logins: [],
    bridgeIssued: [],
    bridged: [],
    unexpected: [],
  };
  let stopped = false;
  let sigterm = false;
  const agents: Agent[] = [];
  const agent = (sockets: number) => {
    const a = new Agent({ keepAlive: true, maxSockets: sockets });
    agents.push(a);
    return a;
  };
  const note = (what: string, answer: Answer) => {
    if (!sigterm) ack.unexpected.push(`${what} ${answer.status} ${JSON.stringify(answer.json)}`);
  };
  const newVisitor = async (a: Agent, headers: Record<string, string> = {}) => {
    const res = await send(a, base, 'POST', IDENTIFY, headers);
    if (res.status === 200) ack.visitors.add(res.json.visitorId as string);
    else note('identify', res);
    return res;
  };
  const loop = (follow: boolean, step: () => Promise<void>) => async () => {
    for (let i = 0; i < 100_000 && !stopped && (follow || !sigterm); i++) {
      try {
        await step();
      } catch {
        return;
      }
    }
  };
  let n = 0;
  const visitorAgent = agent(8);
  const followerAgent = agent(2);
  const adminAgent = agent(3);
  const loginAgent = agent(3);
  const bridgeAgent = agent(2);
  const auth = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
  const think = () => new Promise((r) => setTimeout(r, 5 + Math.random() * 20));
  const loops = [
    ...Array.from({ length: 8 }, () =>
      loop(false, async () => void (await newVisitor(visitorAgent))),
    ),
    ...Array.from({ length: 2 }, () =>
      loop(true, async () => void (await newVisitor(followerAgent))),
    ),
    ...Array.from({ length: 3 }, () =>
      loop(false, async () => {
        const id = `adm-${++n}`;
        const created = await send(adminAgent, base, 'POST', '/admin/v1/accounts', auth, { id });
        if (created.status !== 201) return note('create', created);
        ack.accounts.push(id);
        const value = String(1000 + n);
        const put = await send(
          adminAgent,
          base,
          'PUT',
          `/admin/v1/accounts/${id}/properties/consent.cookieMaxAge`,
          auth,
          { value },
        );
        if (put.status !== 200) return note('override', put);
        ack.overrides.push(`${id}=${value}`);
        await think();
      }),
    ),
    ...Array.from({ length: 3 }, () =>
      loop(false, async () => {
        const visit = await newVisitor(loginAgent);
        if (visit.status !== 200) return;
        const customerId = `customer-${++n}`;
        const res = await send(
          loginAgent,
          base,
          'POST',
          `/unblu/v1/login?x-unblu-apikey=${KEY}`,
          { cookie: cookiesOf(visit) },
          { assertion: await assertion(customerId) },
        );
        if (res.status !== 200) return note('login', res);
        ack.logins.push({ customerId, visitorId: res.json.visitorId as string });
        await think();
      }),
    ),
    ...Array.from({ length: 2 }, () =>
      loop(false, async () => {
        const visit = await newVisitor(bridgeAgent, { origin: SHOP });
        if (visit.status !== 200) return;
        const visitorId = visit.json.visitorId as string;
        const issued = await issueBridge(bridgeAgent, base, visit);
        if (issued.status !== 200) return note('bridge', issued);
        ack.bridgeIssued.push(visitorId);
        const there = await send(bridgeAgent, base, 'POST', IDENTIFY, {
          origin: CHECKOUT,
          'x-unblu-bridge': issued.json.token as string,
        });
        if (there.status !== 200 || there.json.bridged !== true) return note('redeem', there);
        ack.bridged.push(visitorId);
        await think();
      }),
    ),
  ].map((run) => run());
  return {
    ack,
    sigterm: () => (sigterm = true),
    /** Ends every loop and closes the agents' sockets. */
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
      agents.forEach((a) => a.destroy());
    },
  };
}

/** Everything the acknowledged writes should have left in the database. */
async function readStored(ws: TestWorkspace) {
  const db = await openDatabase(ws);
  try {
    const column = async (sql: string) =>
      new Set((await db.query<Array<{ v: string }>>(sql)).map((r) => r.v));
    const payloads = await db.query<Array<{ payload: string }>>(
      `SELECT "payload" FROM "one_time_tokens" WHERE "purpose" = 'bridge'`,
    );
    return {
      visitors: await column(`SELECT "visitorId" AS v FROM "visitors" WHERE "accountId" = 'shop'`),
      accounts: await column(`SELECT "id" AS v FROM "accounts"`),
      overrides: await column(
        `SELECT "accountId" || '=' || "value" AS v FROM "property_overrides" WHERE "key" = 'consent.cookieMaxAge'`,
      ),
      sessions: await column(
        `SELECT "customerId" || '/' || "visitorId" AS v FROM "auth_sessions" WHERE "accountId" = 'shop'`,
      ),
      links: await column(
        `SELECT "customerId" || '/' || "visitorId" AS v FROM "customer_links" WHERE "accountId" = 'shop'`,
      ),
      tokens: new Set(
        payloads.map((p) => (JSON.parse(p.payload) as { visitorId: string }).visitorId),
      ),
      redeemed: await column(
        `SELECT "visitorId" AS v FROM "bridge_redemptions" WHERE "accountId" = 'shop'`,
      ),
    };
  } finally {
    await db.destroy();
  }
}

function expectStored(ack: Acknowledged, stored: Awaited<ReturnType<typeof readStored>>) {
  const missing = (list: Iterable<string>, set: Set<string>) =>
    [...list].filter((x) => !set.has(x));
  expect(missing(ack.visitors, stored.visitors)).toEqual([]);
  expect(missing(ack.accounts, stored.accounts)).toEqual([]);
  expect(missing(ack.overrides, stored.overrides)).toEqual([]);
  const logins = ack.logins.map((l) => `${l.customerId}/${l.visitorId}`);
  expect(missing(logins, stored.sessions)).toEqual([]);
  expect(missing(logins, stored.links)).toEqual([]);
  expect(missing(ack.bridgeIssued, stored.tokens)).toEqual([]);
  expect(missing(ack.bridged, stored.redeemed)).toEqual([]);
}

const ACCOUNT = [
  `account.apiKeys = ${KEY}`,
  'consent.required = false',
  `authentication.assertionSecret = ${SECRET}`,
  `server.cors.allowedOrigins = ${SHOP}, ${CHECKOUT}`,
  `bridge.targets = ${CHECKOUT}`,
  'server.cors.corsCookieMode = LOCAL_STORAGE',
].join('\n');

/** Resolves with how the process ended and how long after `since`, or null after `ms`. */
async function exitWithin(server: ServerProcess, since: number, ms: number) {
  const timer = new Promise<null>((r) => setTimeout(() => r(null), ms).unref());
  const code = await Promise.race([server.exited, timer]);
  return code === null ? null : { code, ms: Date.now() - since };
}

describe('SIGTERM with keep-alive clients of every kind (SPEC §13)', () => {
  let ws: TestWorkspace;
  let server: ServerProcess | undefined;

  /** A real process on a new workspace; `app`: lines of its application.properties. */
  const start = (app = '') => {
    ws = createWorkspace({ app, accounts: { shop: ACCOUNT }, defaultDrain: true });
    server = startServerProcess({
      PANTRY_CONFIG_DIR: ws.configDir,
      PANTRY_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    });
    return server;
  };

  afterEach(async () => {
    if (server && server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
    ws.remove();
  });

  it.each([
    ['SIGTERM alone', null],
    ['SIGTERM, then SIGKILL 30 s later (an orchestrator)', 30_000],
  ])(
    '%s: exits within the 10 s default with every acknowledged write and sighting stored',
    async (_name, killAfterMs) => {
      const proc = start();
      const base = await proc.listening;
      const load = clients(base);
      // Load past a flush or two, bounded in time.
      const until = Date.now() + 20_000;
      const enough = () =>
        load.ack.visitors.size >= 1500 &&
        load.ack.accounts.length >= 6 &&
        load.ack.logins.length >= 6 &&
        load.ack.bridged.length >= 6;
      while (!enough() && Date.now() < until) await new Promise((r) => setTimeout(r, 20));

      const sentAt = Date.now();
      proc.child.kill('SIGTERM');
      load.sigterm();
      const orchestrator =
        killAfterMs === null
          ? undefined
          : setTimeout(() => proc.child.kill('SIGKILL'), killAfterMs);
      const exit = await exitWithin(proc, sentAt, 40_000);
      clearTimeout(orchestrator);
      await load.stop();

      expect(exit).not.toBeNull();
      expect(exit!.code).toBe('SIGTERM');
      expect(exit!.ms).toBeLessThan(10_000);
      expect(proc.output()).not.toMatch(/could not be written|grace ran out/);
      expect(load.ack.unexpected).toEqual([]);
      expect(enough()).toBe(true);
      expectStored(load.ack, await readStored(ws));
    },
  );

  it('a request that cannot finish does not hold the process past server.shutdownTimeoutSeconds', async () => {
    const proc = start('server.shutdownTimeoutSeconds = 2');
    const base = new URL(await proc.listening);
    const agent = new Agent({ keepAlive: true });
    const visitor = await send(agent, base.origin, 'POST', IDENTIFY);
    expect(visitor.status).toBe(200);
    // Two slow clients: one stops halfway through its headers, one halfway through its body.
    const slow: Socket[] = [];
    for (const head of [
      `POST /unblu/v1/identify?x-unblu-apikey=${KEY} HTTP/1.1\r\nHost: x\r\nX-Slow: `,
      `PUT /admin/v1/accounts/shop/properties/consent.cookieMaxAge HTTP/1.1\r\nHost: x\r\n` +
        `Authorization: Bearer ${TEST_ADMIN_TOKEN}\r\nContent-Type: application/json\r\n` +
        `Content-Length: 100\r\n\r\n{"value":`,
    ]) {
      const socket = connect(Number(base.port), base.hostname);
      socket.on('error', () => {});
      await new Promise((r) => socket.once('connect', r));
      socket.write(head);
      slow.push(socket);
    }
    await new Promise((r) => setTimeout(r, 300));

    const sentAt = Date.now();
    proc.child.kill('SIGTERM');
    const exit = await exitWithin(proc, sentAt, 20_000);
    slow.forEach((s) => s.destroy());
    agent.destroy();

    expect(exit).not.toBeNull();
    expect(exit!.ms).toBeLessThan(2_000 + 1_500);
    expect(exit!.code).toBe('SIGTERM');
    expect(proc.output()).toMatch(
      /closed 2 connections still busy after 1 s: their requests got no answer/,
    );
    // The default drain (7 s) does not fit in a 2 s grace: none, said once at start.
    expect(proc.output()).toMatch(
      /server\.drainSeconds: the default 7 s does not fit in server\.shutdownTimeoutSeconds = 2 \(2 s must remain after the drain\): a stop drains for 0 s/,
    );
    const stored = await readStored(ws);
    expect(stored.visitors.has(visitor.json.visitorId as string)).toBe(true);
  });

  it('a last flush that cannot finish: exits when the grace runs out, with one line saying what was not written', async () => {
    const proc = start('server.shutdownTimeoutSeconds = 2');
    const base = await proc.listening;
    // Another client holds the visitors table: every flush waits for it.
    const release = await lockTables(ws, ['visitors']);
    try {
      const agent = new Agent({ keepAlive: true });
      for (let i = 0; i < 20; i++) {
        const res = await send(agent, base, 'POST', IDENTIFY);
        expect(res.status).toBe(200);
      }
      agent.destroy();
      await new Promise((r) => setTimeout(r, 1_200)); // a periodic flush is now waiting too

      const sentAt = Date.now();
      proc.child.kill('SIGTERM');
      const exit = await exitWithin(proc, sentAt, 20_000);
      expect(exit).not.toBeNull();
      expect(exit!.ms).toBeGreaterThanOrEqual(1_900);
      expect(exit!.ms).toBeLessThan(2_000 + 1_500);
      expect(exit!.code).toBe('SIGTERM');
      const lines = proc
        .output()
        .split('\n')
        .filter((l) => /grace/.test(l) && /ran out/.test(l));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /the 2 s grace \(server\.shutdownTimeoutSeconds\) ran out while flushing sightings and closing the database: exiting with 20 visitor sightings not written/,
      );
    } finally {
      await release();
    }
  });
});

describe('answers written while closing end their connection (in process)', () => {
  let ws: TestWorkspace;
  afterEach(() => ws.remove());

  it("Fastify's (an admin write) and the visitor dispatcher's (a bridge token) alike", async () => {
    ws = createWorkspace({ accounts: { shop: ACCOUNT } });
    const app = await startApp(ws);
    await app.listen(0, '127.0.0.1');
    const base = await app.getUrl();
    const agent = new Agent({ keepAlive: true });
    try {
      const visit = await send(agent, base, 'POST', IDENTIFY, {
        origin: SHOP,
      });
      expect(visit.headers.connection).toBe('keep-alive');
      // Both writes wait for the database, so both are in flight when closing starts.
      const release = await lockTables(ws, ['accounts', 'one_time_tokens']);
      const admin = send(
        agent,
        base,
        'POST',
        '/admin/v1/accounts',
        { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
        { id: 'while-closing' },
      );
      const bridge = issueBridge(agent, base, visit);
      await new Promise((r) => setTimeout(r, 300));
      const drained = drainServer(app.getHttpServer(), 5_000);
      await new Promise((r) => setTimeout(r, 100));
      await release();
      const [created, issued] = await Promise.all([admin, bridge]);
      expect([created.status, created.headers.connection]).toEqual([201, 'close']);
      expect([issued.status, issued.headers.connection]).toEqual([200, 'close']);
      expect(await drained).toEqual({ cut: 0 });
    } finally {
      agent.destroy();
      await app.close();
    }
  });
});

/** Another client's transaction holding `tables` against writes; resolves with its release. */
async function lockTables(ws: TestWorkspace, tables: string[]): Promise<() => Promise<void>> {
  const db = await openDatabase(ws);
  const runner = db.createQueryRunner();
  await runner.connect();
  await runner.query(ws.postgres ? 'BEGIN' : 'BEGIN EXCLUSIVE');
  if (ws.postgres) {
    await runner.query(`LOCK TABLE ${tables.map((t) => `"${t}"`).join(', ')} IN EXCLUSIVE MODE`);
  }
  return async () => {
    await runner.query('ROLLBACK');
    await runner.release();
    await db.destroy();
  };
}
