import { Browser, Page } from 'playwright-core';
import {
  describeWithBrowser,
  launchBrowser,
  RunningPantry,
  startPantry,
  startSite,
  visit,
  Answer,
} from './harness';

jest.setTimeout(60_000);

const KEY = 'bridge-key-01';

type BridgedAnswer = Answer & { bridged?: boolean; bridge?: string };

/**
 * Two registrable domains of one account, third-party cookies blocked: the visitor's identity
 * travels on a click, by a one-time token, and nowhere else.
 */
describeWithBrowser('the cross-domain bridge in Chromium', () => {
  let browser: Browser;
  let pantry: RunningPantry;
  let site: Awaited<ReturnType<typeof startSite>>;
  const shopUrl = () => `http://www.shop-one.test:${site.port}/shop`;
  const cartUrl = () => `http://www.checkout-two.test:${site.port}/cart?x=1`;

  beforeAll(async () => {
    site = await startSite([
      (req, res) => {
        const path = req.url?.split('?')[0];
        if (path !== '/shop' && path !== '/cart') return false;
        const snippet = `http://api.pantry.test:${pantry.port}/unblu/visitor.js?x-unblu-apikey=${KEY}`;
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(
          `<!doctype html><html><head><meta charset="utf-8"><title>${path}</title></head><body>
<script src="${snippet}" defer></script>
<a id="checkout" href="${cartUrl()}">checkout</a>
<a id="newtab" href="${cartUrl()}" target="_blank">checkout in a new tab</a>
<a id="file" href="${cartUrl()}" download>receipt</a>
</body></html>`,
        );
        return true;
      },
    ]);
    const origin = (host: string) => `http://${host}:${site.port}`;
    pantry = await startPantry({
      accounts: {
        shop: [
          `account.apiKeys = ${KEY}`,
          `server.cors.allowedOrigins = ${origin('www.shop-one.test')}, ${origin('www.checkout-two.test')}`,
          `bridge.targets = ${origin('www.checkout-two.test')}`,
          'server.cors.corsCookieMode = LOCAL_STORAGE',
          'identifier.cookieSecureFlag = false',
          'consent.required = false',
        ].join('\n'),
      },
    });
    browser = await launchBrowser();
  });

  let stopped = false;
  afterAll(async () => {
    await browser?.close();
    if (stopped) pantry?.ws.remove();
    else await pantry?.close();
    await site?.close();
  });

  const answer = (page: Page) =>
    page.evaluate(
      () => (window as unknown as { pantry: { ready: Promise<BridgedAnswer> } }).pantry.ready,
    );

  it('a click carries the visitor to the other domain; the address bar loses the token; a replay in a fresh browser is refused', async () => {
    const context = await browser.newContext();
    const shop = await visit(context, shopUrl());
    const visitorId = shop.answer.visitorId;
    expect(visitorId).toBeTruthy();

    const requested: string[] = [];
    shop.page.on('request', (r) => {
      if (r.isNavigationRequest()) requested.push(r.url());
    });
    await Promise.all([shop.page.waitForURL(/\/cart/), shop.page.click('#checkout')]);
    const decorated = requested.find((u) => u.includes('/cart'))!;
    expect(new URL(decorated).searchParams.get('pantry_bridge')).toMatch(/^[A-Za-z0-9._-]{20,64}$/);
    expect(decorated).not.toContain(visitorId!);

    const there = await answer(shop.page);
    expect(there).toMatchObject({ visitorId, bridged: true });
    expect(new URL(shop.page.url()).searchParams.get('pantry_bridge')).toBeNull();
    expect(new URL(shop.page.url()).searchParams.get('x')).toBe('1');
    // The identity stays on the checkout domain after a reload.
    await shop.page.reload();
    expect((await answer(shop.page)).visitorId).toBe(visitorId);
    await context.close();

    // The decorated link, opened again in a fresh browser: used, nothing adopted.
    const fresh = await browser.newContext();
    const replay = await fresh.newPage();
    await replay.goto(decorated);
    const refused = await answer(replay);
    expect(refused).toMatchObject({ bridged: false, bridge: 'used' });
    expect(refused.visitorId).not.toBe(visitorId);
    expect(new URL(replay.url()).searchParams.get('pantry_bridge')).toBeNull();
    await fresh.close();
  });

  it('leaves new-tab and download links alone, and fetches nothing on page load', async () => {
    const context = await browser.newContext();
    const shop = await visit(context, shopUrl());
    const bridgeCalls: string[] = [];
    shop.page.on('request', (r) => {
      if (r.url().includes('/v1/bridge')) bridgeCalls.push(r.url());
    });
    await shop.page.waitForTimeout(200);
    expect(bridgeCalls).toEqual([]);
    const popup = context.waitForEvent('page');
    await shop.page.click('#newtab');
    const tab = await popup;
    await tab.waitForLoadState();
    expect(tab.url()).toBe(cartUrl());
    expect(bridgeCalls).toEqual([]);
    await context.close();
  });

  it('follows the plain link when Pantry does not answer within 300 ms', async () => {
    const context = await browser.newContext();
    const shop = await visit(context, shopUrl());
    await shop.page.route('**/v1/bridge*', () => undefined); // never answered
    const started = Date.now();
    await Promise.all([shop.page.waitForURL(/\/cart/), shop.page.click('#checkout')]);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(shop.page.url()).toBe(cartUrl());
    await context.close();
  });

  it('follows the plain link when Pantry is down (last: it stops Pantry)', async () => {
    const context = await browser.newContext();
    const shop = await visit(context, shopUrl());
    await pantry.app.close();
    stopped = true;
    const started = Date.now();
    await Promise.all([shop.page.waitForURL(/\/cart/), shop.page.click('#checkout')]);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(shop.page.url()).toBe(cartUrl());
    await context.close();
  });
});
