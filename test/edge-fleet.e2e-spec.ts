/**
 * Edge mode with several Pantry nodes, as the README says to run it ("3. Edge mode": a server
 * line each in the block's `upstream pantry`): the README's nginx block with two real Pantry
 * processes on one PostgreSQL. Navigations and the snippet reach both; one visitor stays one
 * visitor whichever node answers; a silent node (SIGSTOP) costs one page one timeout, and every
 * page still gets its cookies from the other node; a stopped node costs nothing, and once
 * restarted it takes its share again. Only in the e2e-postgres project (jest.config.js): nodes
 * share a database.
 */
import {
  Answer,
  cookieLine,
  cookieName,
  edgeAnswers,
  jar,
  NAVIGATION,
  send,
  visitorOf,
} from './helpers/edge-page';
import { useFleet } from './helpers/fleet';
import {
  edgeConfiguration,
  edgeReadTimeoutMs,
  readmeEdgeBlock,
  RunningNginx,
  startNginxHttp,
} from './helpers/nginx';
import { startSite } from './browser/harness';
import { eventually } from './helpers/test-app';

jest.setTimeout(120_000);

const SHOP = 'www.shop.test';
const KEY = 'shop-key-0001';
const READ_TIMEOUT_MS = edgeReadTimeoutMs();

/** The README's block with a second node in `upstream pantry`, as the README says to add it. */
function twoNodeBlock(secondPort: number): string {
  const block = readmeEdgeBlock();
  const first = /^(\s*)server 127\.0\.0\.1:3000;$/m;
  if (!first.test(block)) throw new Error('the edge block has no `server 127.0.0.1:3000;` line');
  return block.replace(
    first,
    (line, indent: string) => `${line}\n${indent}server 127.0.0.1:${secondPort};`,
  );
}

/** Whether an answer carries the identity cookies a first visit gets. */
const identified = (answer: Answer) =>
  cookieLine(answer, cookieName(KEY, 'device')) !== undefined &&
  visitorOf(answer, KEY) !== undefined;

describe('edge mode with two Pantry nodes in the README block’s upstream', () => {
  const fleet = useFleet(
    2,
    {
      app: 'server.trustProxy = true\nserver.maxConnectionsPerAddress = 0',
      accounts: {
        shop: [
          `account.apiKeys = ${KEY}`,
          `proxy.hosts = ${SHOP}`,
          'identifier.cookieDomain = AUTO',
          'consent.required = false',
        ].join('\n'),
      },
    },
    { samePorts: true },
  );
  let site: Awaited<ReturnType<typeof startSite>>;
  let nginx: RunningNginx;
  const navigate = (headers: Record<string, string> = {}, path = '/') =>
    send(nginx.port, SHOP, path, { headers: { ...NAVIGATION, ...headers } });
  /** Edge answers per node, from each node's own /metrics. */
  const perNode = () => Promise.all(fleet.urls.map((url) => edgeAnswers(url)));
  /**
   * A fresh process answers its first requests slowly (modules load on first use). Warmed
   * directly, so that nginx's first try of it is not a timeout that leaves it out for 10 s.
   */
  const warm = (port: number) =>
    eventually(async () => {
      const direct = await send(port, SHOP, '/unblu/v1/edge', { headers: NAVIGATION });
      expect(direct.status).toBe(204);
      expect(direct.ms).toBeLessThan(READ_TIMEOUT_MS / 2);
    }, 30_000);

  beforeAll(async () => {
    site = await startSite([
      (_req, res) => {
        res
          .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
          .end('<!doctype html><title>shop</title><p>page</p>');
        return true;
      },
    ]);
    nginx = await startNginxHttp(
      edgeConfiguration(twoNodeBlock(fleet.ports[1]), { pantry: fleet.ports[0], site: site.port }),
    );
    for (const port of fleet.ports) await warm(port);
    expect(identified(await navigate())).toBe(true);
  }, 90_000);

  afterAll(async () => {
    await nginx?.stop();
    await site?.close();
  });

  it('spreads navigations and the snippet over both nodes; one visitor stays one visitor', async () => {
    const before = await perNode();
    const first = await navigate();
    const visitor = visitorOf(first, KEY);
    expect(visitor).toMatch(/^[A-Za-z0-9_-]{10,}$/);
    let cookie = jar(first);
    for (let i = 0; i < 9; i++) {
      const next = await navigate({ cookie });
      expect(next.status).toBe(200);
      // A refresh may set the cookies again: the same visitor whenever it does.
      expect(visitorOf(next, KEY) ?? visitor).toBe(visitor);
      cookie = jar(first, next);
    }
    const after = await perNode();
    expect(after.map((count, i) => count - before[i] > 0)).toEqual([true, true]);
    // The snippet, through the block's /pantry/unblu/ location, from the same nodes: the
    // account's own (its key in it), not the stand-in a request without a key gets.
    const snippet = await send(nginx.port, SHOP, `/pantry/unblu/visitor.js?x-unblu-apikey=${KEY}`);
    expect(snippet.status).toBe(200);
    expect(String(snippet.headers['content-type'])).toMatch(/javascript/);
    expect(snippet.body).toContain(KEY);
  });

  it('a silent node (SIGSTOP): every page gets its cookies from the other, one page waits one timeout', async () => {
    const pid = fleet.nodes[0].child.pid!;
    const times: number[] = [];
    process.kill(pid, 'SIGSTOP');
    try {
      for (let i = 0; i < 12; i++) {
        const answer = await navigate();
        expect(answer.status).toBe(200);
        expect(identified(answer)).toBe(true);
        times.push(Math.round(answer.ms));
      }
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    process.stdout.write(
      `edge mode, one of two nodes SIGSTOPped: pages in ${times.join(', ')} ms\n`,
    );
    // nginx waits the read timeout on the silent node once, then tries the other node, and
    // leaves the silent one out for its fail_timeout (10 s): the pages after it do not wait.
    const waited = times.filter((ms) => ms >= READ_TIMEOUT_MS - 10);
    expect(waited.length).toBeGreaterThanOrEqual(1);
    expect(waited.length).toBeLessThanOrEqual(2);
    for (const ms of waited) expect(ms).toBeLessThan(READ_TIMEOUT_MS + 750);
  });

  it('a stopped node costs no page anything; restarted, it takes its share again', async () => {
    await fleet.nodes[0].stop();
    for (let i = 0; i < 8; i++) {
      const answer = await navigate();
      expect(answer.status).toBe(200);
      expect(identified(answer)).toBe(true);
      expect(answer.ms).toBeLessThan(READ_TIMEOUT_MS);
    }
    const url = await fleet.restart(0);
    await warm(fleet.ports[0]);
    // Counted from here: the warm-up's own answers are not nginx's.
    const warmed = await edgeAnswers(url);
    // nginx tries it again once its fail_timeout (10 s) is over.
    await eventually(async () => {
      expect(identified(await navigate())).toBe(true);
      expect(await edgeAnswers(url)).toBeGreaterThan(warmed);
    }, 40_000);
  });
});
