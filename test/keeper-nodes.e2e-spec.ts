import request from 'supertest';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { COMPLETE_FOR_MS, KeeperService } from '../src/keeper/keeper.service';
import { cookieHeader, setCookie } from './helpers/cookies';
import { createWorkspace, startApp, TestWorkspace } from './helpers/test-app';

const KEY = 'shop-key-0001';
const GA = 'GA1.1.1234567890.1700000000';
const onPostgres = process.env.PANTRY_TEST_DB === 'postgres';

/*
 * Two nodes on one database (SPEC §14, "propagated to every node"): what one node learnt of a
 * visitor, the other restores once the browser lost it, and a revocation on one is not undone
 * by what the other remembers. PostgreSQL (several nodes share one database there).
 */
(onPostgres ? describe : describe.skip)('cookie keeper on two nodes', () => {
  let ws: TestWorkspace;
  let nodes: NestFastifyApplication[] = [];
  const identify = (node: number, cookie: string) =>
    request(nodes[node].getHttpServer())
      .post(`/unblu/v1/identify?x-unblu-apikey=${KEY}`)
      .set('Host', 'www.shop.test')
      .set('Cookie', cookie);

  beforeAll(async () => {
    ws = createWorkspace({
      accounts: {
        shop: [`account.apiKeys = ${KEY}`, 'consent.required = false', 'keeper.cookies = ga'].join(
          '\n',
        ),
      },
    });
    nodes = [await startApp(ws), await startApp(ws)];
  });

  afterAll(async () => {
    for (const node of nodes) await node.close();
    ws.remove();
  });

  it('node B restores what node A learnt', async () => {
    const first = await identify(0, '').expect(200);
    const own = cookieHeader(first);
    // B knows this visitor already, without _ga (a page before the SDK ran).
    expect(setCookie(await identify(1, own).expect(200), '_ga')).toBeUndefined();
    await identify(0, `${own}; _ga=${GA}`).expect(200);
    await nodes[0].get(KeeperService).flush();
    // The browser lost it; what B read said nothing was stored, and B looks again once that
    // is older than it trusts it for.
    await new Promise((r) => setTimeout(r, COMPLETE_FOR_MS + 100));
    const restored = await identify(1, own).expect(200);
    expect(setCookie(restored, '_ga')?.value).toBe(GA);
  });

  it('node B restores at once for a visitor it never saw', async () => {
    const own = cookieHeader(await identify(0, '').expect(200));
    await identify(0, `${own}; _ga=${GA}`).expect(200);
    await nodes[0].get(KeeperService).flush();
    expect(setCookie(await identify(1, own).expect(200), '_ga')?.value).toBe(GA);
  });
});
