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

  it('a planted link does not move a visitor who has an id on the target (already_identified); a fresh visitor adopts', async () => {
    // The attacker takes a decorated link on the shop and hands it around.
    const attackerContext = await browser.newContext();
    const attacker = await visit(attackerContext, shopUrl());
    const attackerId = attacker.answer.visitorId!;
    const planted = () =>
      attacker.page.evaluate(
        (url) =>
          (window as unknown as { pantry: { bridge(u: string): Promise<string> } }).pantry.bridge(
            url,
          ),
        cartUrl(),
      );
    const link = await planted();
    expect(new URL(link).searchParams.get('pantry_bridge')).toBeTruthy();

    // The victim has been on the checkout before, and follows the link.
    const victimContext = await browser.newContext();
    const before = await visit(victimContext, cartUrl());
    const victimId = before.answer.visitorId!;
    expect(victimId).not.toBe(attackerId);
    const page = await victimContext.newPage();
    await page.goto(link);
    const followed = await answer(page);
    expect(followed).toMatchObject({
      visitorId: victimId,
      bridged: false,
      bridge: 'already_identified',
    });
    expect(new URL(page.url()).searchParams.get('pantry_bridge')).toBeNull();
    await page.reload();
    expect((await answer(page)).visitorId).toBe(victimId);
    await victimContext.close();

    // A browser that has never been on the checkout adopts the id of the link it follows.
    const freshContext = await browser.newContext();
    const fresh = await freshContext.newPage();
    await fresh.goto(await planted());
    expect(await answer(fresh)).toMatchObject({ visitorId: attackerId, bridged: true });
    await freshContext.close();
    await attackerContext.close();
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

const A_KEY = 'brand-a-key-01';
const B_KEY = 'brand-b-key-01';
const GATED_KEY = 'gated-b-key-01';

/**
 * One organisation, three accounts (bridge.partners): the shop (brand-a, LOCAL_STORAGE), a
 * checkout on another account with another cookie mode (brand-b), and a checkout that asks for
 * consent first (gated-b). The identity travels to either; to the gated one it arrives with the
 * visitor's yes.
 */
describeWithBrowser('the bridge across partner accounts in Chromium', () => {
  let browser: Browser;
  let pantry: RunningPantry;
  let site: Awaited<ReturnType<typeof startSite>>;
  const url = (host: string, path: string) => `http://${host}:${site.port}${path}`;
  const keys: Record<string, string> = {
    'www.shop-one.test': A_KEY,
    'www.checkout-two.test': B_KEY,
    'www.checkout-three.test': GATED_KEY,
  };

  beforeAll(async () => {
    site = await startSite([
      (req, res) => {
        const key = keys[(req.headers.host ?? '').split(':')[0]];
        if (!key) return false;
        const snippet = `http://api.pantry.test:${pantry.port}/unblu/visitor.js?x-unblu-apikey=${key}`;
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(
          `<!doctype html><html><head><meta charset="utf-8"><title>page</title></head><body>
<script src="${snippet}" defer></script>
<a id="b" href="${url('www.checkout-two.test', '/cart')}">checkout</a>
<a id="gated" href="${url('www.checkout-three.test', '/cart')}">gated checkout</a>
</body></html>`,
        );
        return true;
      },
    ]);
    const origin = (host: string) => url(host, '');
    const account = (key: string, host: string, lines: string[]) =>
      [
        `account.apiKeys = ${key}`,
        `server.cors.allowedOrigins = ${origin(host)}`,
        'identifier.cookieSecureFlag = false',
        ...lines,
      ].join('\n');
    pantry = await startPantry({
      accounts: {
        'brand-a': account(A_KEY, 'www.shop-one.test', [
          // Both targets are the partners' origins, not brand-a's.
          `bridge.targets = ${origin('www.checkout-two.test')}, ${origin('www.checkout-three.test')}`,
          'bridge.partners = brand-b, gated-b',
          'server.cors.corsCookieMode = LOCAL_STORAGE',
          'consent.required = false',
        ]),
        'brand-b': account(B_KEY, 'www.checkout-two.test', [
          'bridge.partners = brand-a',
          'server.cors.corsCookieMode = LOCAL_DOMAIN_STORAGE',
          'consent.required = false',
        ]),
        'gated-b': account(GATED_KEY, 'www.checkout-three.test', [
          'bridge.partners = brand-a',
          'server.cors.corsCookieMode = LOCAL_STORAGE',
          'consent.required = true',
        ]),
      },
    });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await pantry?.close();
    await site?.close();
  });

  type Pantry = {
    ready: Promise<BridgedAnswer>;
    consent(granted: boolean): Promise<BridgedAnswer>;
  };
  const ready = (page: Page) =>
    page.evaluate(() => (window as unknown as { pantry: Pantry }).pantry.ready);
  const grant = (page: Page, granted: boolean) =>
    page.evaluate((g) => (window as unknown as { pantry: Pantry }).pantry.consent(g), granted);
  const kept = (page: Page) => page.evaluate(() => sessionStorage.getItem('x-unblu-bridge'));

  it('a visitor bridged from account A to partner B has the same visitor id on B', async () => {
    const context = await browser.newContext();
    const shop = await visit(context, url('www.shop-one.test', '/shop'));
    const visitorId = shop.answer.visitorId;
    expect(visitorId).toBeTruthy();
    await Promise.all([shop.page.waitForURL(/checkout-two.*\/cart/), shop.page.click('#b')]);
    expect(await ready(shop.page)).toMatchObject({ account: 'brand-b', visitorId, bridged: true });
    await shop.page.reload();
    expect((await ready(shop.page)).visitorId).toBe(visitorId);
    await context.close();
  });

  it('a bridge met by consent_required arrives when the visitor grants consent there, across pages of the tab', async () => {
    const context = await browser.newContext();
    const shop = await visit(context, url('www.shop-one.test', '/shop'));
    const visitorId = shop.answer.visitorId;
    await Promise.all([shop.page.waitForURL(/checkout-three.*\/cart/), shop.page.click('#gated')]);
    const page = shop.page;
    expect(await ready(page)).toMatchObject({
      visitorId: null,
      bridged: false,
      bridge: 'consent_required',
    });
    expect(new URL(page.url()).searchParams.get('pantry_bridge')).toBeNull();
    expect(await kept(page)).toBeTruthy();
    // Another page of the checkout in the same tab; the visitor first says no, then yes.
    await page.goto(url('www.checkout-three.test', '/basket'));
    expect((await ready(page)).visitorId).toBeNull();
    expect(await grant(page, false)).toMatchObject({ consent: 'denied', visitorId: null });
    expect(await kept(page)).toBeTruthy();
    expect(await grant(page, true)).toMatchObject({
      consent: 'granted',
      visitorId,
      bridged: true,
    });
    expect(await kept(page)).toBeNull();
    await page.reload();
    expect((await ready(page)).visitorId).toBe(visitorId);
    await context.close();
  });

  it('a kept token older than the longest TTL is dropped: the grant then carries none', async () => {
    const context = await browser.newContext();
    const shop = await visit(context, url('www.shop-one.test', '/shop'));
    await Promise.all([shop.page.waitForURL(/checkout-three.*\/cart/), shop.page.click('#gated')]);
    const page = shop.page;
    await ready(page);
    // Kept longer than any token lives: dropped when the next page starts.
    await page.evaluate(() => {
      const k = JSON.parse(sessionStorage.getItem('x-unblu-bridge')!) as { t: number };
      k.t -= 601;
      sessionStorage.setItem('x-unblu-bridge', JSON.stringify(k));
    });
    const bridgeHeaders: Array<string | undefined> = [];
    page.on('request', (r) => {
      if (r.method() === 'POST') bridgeHeaders.push(r.headers()['x-unblu-bridge']);
    });
    await page.reload();
    await ready(page);
    expect(await kept(page)).toBeNull();
    const yes = await grant(page, true);
    expect(yes).toMatchObject({ consent: 'granted', visitorId: expect.any(String) });
    expect(yes.visitorId).not.toBe(shop.answer.visitorId);
    expect(bridgeHeaders).toEqual([undefined, undefined]);
    await context.close();
  });
});
