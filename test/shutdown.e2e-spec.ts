import { Agent } from 'node:http';
import type { DataSource } from 'typeorm';
import { freePort } from './helpers/nginx';
import { agentRequest } from './helpers/raw-http';
import { startServerProcess } from './helpers/server-process';
import { createWorkspace, openDatabase, TEST_ADMIN_TOKEN, TestWorkspace } from './helpers/test-app';

jest.setTimeout(60_000);

const SHOP = ['account.apiKeys = shop-key-0001', 'consent.required = false'].join('\n');
const IDENTIFY = '/unblu/v1/identify?x-unblu-apikey=shop-key-0001';

/** A workspace with the shop account and these application properties. */
const shopWorkspace = (app?: string, more: { defaultDrain?: boolean } = {}) =>
  createWorkspace({ app, ...more, accounts: { shop: SHOP } });

/** A real process on the workspace, with the admin token. */
const startOn = (ws: TestWorkspace) =>
  startServerProcess({ PANTRY_CONFIG_DIR: ws.configDir, PANTRY_ADMIN_TOKEN: TEST_ADMIN_TOKEN });

/** The shop's visitor ids stored in the workspace's database (read on `db` when given). */
async function storedVisitors(ws: TestWorkspace, db?: DataSource): Promise<Set<string>> {
  const source = db ?? (await openDatabase(ws));
  try {
    const rows = await source.query<{ visitorId: string }[]>(
      `SELECT "visitorId" FROM "visitors" WHERE "accountId" = 'shop'`,
    );
    return new Set(rows.map((r) => r.visitorId));
  } finally {
    if (!db) await source.destroy();
  }
}

describe('SIGTERM under load', () => {
  let ws: TestWorkspace;
  afterAll(() => ws.remove());

  it('loses no visitor sighting a response was given for', async () => {
    ws = shopWorkspace();
    const server = startOn(ws);
    const url = `${await server.listening}${IDENTIFY}`;

    const answered = new Set<string>();
    let stop = false;
    const worker = async () => {
      while (!stop) {
        try {
          const res = await fetch(url, { method: 'POST' });
          if (res.status === 200)
            answered.add(((await res.json()) as { visitorId: string }).visitorId);
          else await res.arrayBuffer();
        } catch {
          // refused once the server stops listening
          await new Promise((r) => setTimeout(r, 5));
        }
      }
    };
    const db = await openDatabase(ws);
    const storedIds = () => storedVisitors(ws, db);
    const workers = Array.from({ length: 16 }, worker);
    // Let load build up past a flush or two, then stop the server in the middle of it, while
    // sightings it answered are still queued (written once a second): the last flush's work.
    while (answered.size < 1500) await new Promise((r) => setTimeout(r, 20));
    const storedBeforeStop = await storedIds();
    const queuedAtStop = [...answered].filter((id) => !storedBeforeStop.has(id)).length;
    const code = await server.stop();
    stop = true;
    await Promise.all(workers);
    expect(code).toBe('SIGTERM');
    expect(server.output()).not.toMatch(/could not be written/);

    const stored = await storedIds();
    await db.destroy();
    const lost = [...answered].filter((id) => !stored.has(id));
    expect(queuedAtStop).toBeGreaterThan(0);
    expect(lost).toEqual([]);
  });
});

/** One request on a keep-alive agent: its status, its `Connection` header, its JSON body. */
async function send(agent: Agent, url: string, method = 'GET') {
  const res = await agentRequest(agent, url, { method, timeoutMs: 10_000 });
  return { status: res.status, connection: res.headers.connection ?? '', json: res.json };
}

describe('SIGTERM with a drain (server.drainSeconds, SPEC §18)', () => {
  let ws: TestWorkspace;
  afterAll(() => ws.remove());

  it('answers /health/ready 503 at once on both listeners, serves visitors through the drain, then exits with every sighting stored', async () => {
    const adminPort = await freePort();
    ws = shopWorkspace(
      [
        'server.drainSeconds = 3',
        'server.shutdownTimeoutSeconds = 8',
        `server.adminPort = ${adminPort}`,
      ].join('\n'),
    );
    const server = startOn(ws);
    const base = await server.listening;
    const admin = `http://127.0.0.1:${adminPort}`;
    const identify = `${base}${IDENTIFY}`;
    const probe = new Agent({ keepAlive: true, maxSockets: 1 });
    expect((await send(probe, `${base}/health/ready`)).status).toBe(200);
    expect((await send(probe, `${admin}/health/ready`)).status).toBe(200);

    // Visitors on keep-alive connections until the node stops listening.
    let sigtermAt = 0;
    const answered = new Set<string>();
    const afterSignal: Array<{ ms: number; status: number; connection: string }> = [];
    const visitors = new Agent({ keepAlive: true, maxSockets: 4 });
    const loop = async () => {
      for (;;) {
        let res;
        try {
          res = await send(visitors, identify, 'POST');
        } catch {
          return; // refused: the drain is over
        }
        if (res.status === 200) answered.add(res.json.visitorId as string);
        if (sigtermAt > 0) {
          afterSignal.push({
            ms: Date.now() - sigtermAt,
            status: res.status,
            connection: res.connection,
          });
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    const loops = Array.from({ length: 4 }, loop);
    while (answered.size < 200) await new Promise((r) => setTimeout(r, 20));

    sigtermAt = Date.now();
    server.child.kill('SIGTERM');
    // Readiness fails at once, on the main port and the operator listener alike.
    let ready = await send(probe, `${base}/health/ready`);
    while (ready.status === 200) ready = await send(probe, `${base}/health/ready`);
    const readyFailedMs = Date.now() - sigtermAt;
    expect({ status: ready.status, error: ready.json.error }).toEqual({
      status: 503,
      error: 'draining',
    });
    expect(String(ready.json.message)).toMatch(/stopping/);
    const onAdmin = await send(new Agent(), `${admin}/health/ready`);
    expect({ status: onAdmin.status, error: onAdmin.json.error }).toEqual({
      status: 503,
      error: 'draining',
    });
    expect((await send(new Agent(), `${base}/health`)).status).toBe(503);
    // The console's status says so too.
    const status = await agentRequest(new Agent(), `${admin}/admin/v1/status`, {
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });
    expect(status.json).toMatchObject({
      ready: false,
      problems: [expect.stringMatching(/stopping/)],
    });
    expect((await send(new Agent(), `${base}/health/live`)).status).toBe(200);

    const code = await server.exited;
    const exitedMs = Date.now() - sigtermAt;
    await Promise.all(loops);
    probe.destroy();
    visitors.destroy();
    console.log(
      `drain: /health/ready 503 ${readyFailedMs} ms after SIGTERM; ${afterSignal.length} ` +
        `identify answers during the drain, the last ${Math.max(...afterSignal.map((a) => a.ms))} ms ` +
        `after it; exit after ${exitedMs} ms`,
    );
    expect(readyFailedMs).toBeLessThan(500);
    expect(code).toBe('SIGTERM');
    // Served all through the drain (3 s), each answer ending its connection; exit in the grace.
    expect(afterSignal.filter((a) => a.status !== 200)).toEqual([]);
    expect(Math.max(...afterSignal.map((a) => a.ms))).toBeGreaterThan(2_500);
    // Once the drain began (readiness seen failing; a busy node reads the signal late), every
    // answer ends its connection: 100 ms for the answers already written.
    expect(
      afterSignal.filter((a) => a.ms > readyFailedMs + 100 && a.connection !== 'close'),
    ).toEqual([]);
    expect(exitedMs).toBeGreaterThanOrEqual(3_000);
    expect(exitedMs).toBeLessThan(8_000);
    const output = server.output();
    expect(output).toMatch(/SIGTERM: draining for 3 s \(server\.drainSeconds\)/);
    expect(output).toMatch(/drain over: no longer accepting connections/);
    expect(output).not.toMatch(/could not be written|ran out/);

    const stored = await storedVisitors(ws);
    expect([...answered].filter((id) => !stored.has(id))).toEqual([]);
  });
});

describe('Ctrl-C twice (a second stop signal ends the drain)', () => {
  let ws: TestWorkspace;
  afterAll(() => ws.remove());

  it('stops at once, not after server.drainSeconds, and still writes every sighting', async () => {
    // The default drain (7 s): what a person running `npm start` gets.
    ws = shopWorkspace(undefined, { defaultDrain: true });
    const server = startOn(ws);
    const base = await server.listening;
    const agent = new Agent({ keepAlive: false });
    const answered: string[] = [];
    for (let i = 0; i < 30; i++) {
      const res = await send(agent, `${base}${IDENTIFY}`, 'POST');
      expect(res.status).toBe(200);
      answered.push(res.json.visitorId as string);
    }
    server.child.kill('SIGINT');
    let ready = await send(agent, `${base}/health/ready`);
    while (ready.status === 200) ready = await send(agent, `${base}/health/ready`);
    expect(ready.json.error).toBe('draining');
    const secondAt = Date.now();
    server.child.kill('SIGINT');
    const code = await server.exited;
    const exitedMs = Date.now() - secondAt;
    agent.destroy();
    console.log(`Ctrl-C twice: exit ${exitedMs} ms after the second signal (drain 7 s)`);
    expect(code).toBe('SIGINT');
    expect(exitedMs).toBeLessThan(3_000);
    const output = server.output();
    expect(output).toMatch(
      /SIGINT: draining for 7 s \(server\.drainSeconds\).*Ctrl-C again\) ends the drain now/,
    );
    expect(output).toMatch(/drain over: no longer accepting connections/);
    expect(output).not.toMatch(/could not be written|ran out/);

    const stored = await storedVisitors(ws);
    expect(answered.filter((id) => !stored.has(id))).toEqual([]);
  });
});
