import { startServerProcess } from './helpers/server-process';
import { createWorkspace, openDatabase, TestWorkspace } from './helpers/test-app';

jest.setTimeout(60_000);

describe('SIGTERM under load', () => {
  let ws: TestWorkspace;
  afterAll(() => ws.remove());

  it('loses no visitor sighting a response was given for', async () => {
    ws = createWorkspace({
      accounts: {
        shop: ['account.apiKeys = shop-key-0001', 'consent.required = false'].join('\n'),
      },
    });
    const server = startServerProcess({ PANTRY_CONFIG_DIR: ws.configDir });
    const url = `${await server.listening}/unblu/v1/identify?x-unblu-apikey=shop-key-0001`;

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
    const storedIds = async () => {
      const rows = await db.query<{ visitorId: string }[]>(
        `SELECT "visitorId" FROM "visitors" WHERE "accountId" = 'shop'`,
      );
      return new Set(rows.map((r) => r.visitorId));
    };
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
