/**
 * Edge mode in Chromium (SPEC §16): pages of a site behind the README's nginx block, which asks a
 * real Pantry process for each navigation's cookies. The identity cookies come on the HTML
 * document itself (HttpOnly, 400 days, the site's domain), the same visitor after a reload; GPC
 * and consent are respected (consent given through the snippet, served same-origin under
 * /pantry/unblu/); the keeper puts a script-written analytics cookie back after Safari would have
 * deleted it. Pantry silenced (SIGSTOP) or stopped: the page still loads, without its cookies.
 */
import { Browser, Cookie, Response } from 'playwright-core';
import { NGINX, edgeReadTimeoutMs, RunningNginx, startEdgeNginx } from '../helpers/nginx';
import { ServerProcess, startServerProcess } from '../helpers/server-process';
import { createWorkspace, TEST_ADMIN_TOKEN, TestWorkspace } from '../helpers/test-app';
import { consent, describeWithBrowser, expectDurable, launchBrowser, startSite } from './harness';
import { purgeScriptStorage } from './sdk-pages';

jest.setTimeout(120_000);

const DAY = 24 * 60 * 60;
const KEY = 'shop-key-0001';
const GATED_KEY = 'gated-key-0001';
const SHOP = 'www.shop.test';
const GATED = 'www.gated.test';
const READ_TIMEOUT_MS = edgeReadTimeoutMs();

/**
 * The site's page. On the gated site it loads the snippet (the visitor consents through it); on
 * the shop, none: edge mode needs no script. Either way an analytics-like script writes its
 * anonymous id by `document.cookie` when it finds none, as Segment's does, and records the id
 * it ended up with (found or minted).
 */
function page(host: string): string {
  const snippet =
    host === GATED
      ? `<script src="/pantry/unblu/visitor.js?x-unblu-apikey=${GATED_KEY}"></script>`
      : '';
  return `<!doctype html><html><head><meta charset="utf-8"><title>shop</title>${snippet}
<script>
  var found = /(?:^|; )ajs_anonymous_id=([^;]*)/.exec(document.cookie);
  window.ajsMinted = !found;
  // Plain http is no secure context: no crypto.randomUUID.
  window.ajsId = found ? found[1] : '%22' + Math.random().toString(36).slice(2) + '-' + Date.now() + '%22';
  if (!found) document.cookie = 'ajs_anonymous_id=' + window.ajsId + '; path=/; domain=shop.test; max-age=31536000';
</script></head><body><h1>Shop</h1></body></html>`;
}

const identity = (cookies: Cookie[], key: string) => ({
  device: cookies.find((c) => c.name === `x-unblu-${key}-device`),
  person: cookies.find((c) => c.name === `x-unblu-${key}-anonymous-person`),
});

/** The Set-Cookie lines of a response (the document's own). */
async function setCookieLines(response: Response | null): Promise<string[]> {
  return (await response!.headersArray())
    .filter((h) => h.name.toLowerCase() === 'set-cookie')
    .flatMap((h) => h.value.split('\n'));
}

describeWithBrowser(
  'edge mode in Chromium: the README nginx block asks a real Pantry for the document’s cookies',
  () => {
    let browser: Browser;
    let ws: TestWorkspace;
    let pantry: ServerProcess;
    let site: Awaited<ReturnType<typeof startSite>>;
    let nginx: RunningNginx;
    const url = (host: string, path = '/') => `http://${host}:${nginx.port}${path}`;

    beforeAll(async () => {
      site = await startSite([
        (req, res) => {
          if (req.url?.split('?')[0] !== '/') return false;
          const host = (req.headers.host ?? '').split(':')[0];
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(host));
          return true;
        },
      ]);
      const account = (key: string, host: string, ...lines: string[]) =>
        [
          `account.apiKeys = ${key}`,
          `proxy.hosts = ${host}`,
          'identifier.cookieDomain = AUTO',
          // Plain http in the test: a Secure cookie would be refused by the browser.
          'identifier.cookieSecureFlag = false',
          ...lines,
        ].join('\n');
      ws = createWorkspace({
        app: 'server.trustProxy = true\nserver.maxConnectionsPerAddress = 0',
        accounts: {
          shop: account(KEY, SHOP, 'consent.required = false', 'keeper.cookies = segment'),
          gated: account(GATED_KEY, GATED),
        },
      });
      pantry = startServerProcess({
        PANTRY_CONFIG_DIR: ws.configDir,
        PANTRY_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      });
      const pantryPort = Number(new URL(await pantry.listening).port);
      nginx = await startEdgeNginx({ pantry: pantryPort, site: site.port });
      browser = await launchBrowser();
      // A fresh process answers its first requests slowly (modules load on first use).
      for (let i = 0; i < 100; i++) {
        const warm = await browser.newContext();
        const p = await warm.newPage();
        await p.goto(url(SHOP));
        const got = identity(await warm.cookies(url(SHOP)), KEY).person !== undefined;
        await warm.close();
        if (got) break;
        await new Promise((r) => setTimeout(r, 200));
      }
    }, 90_000);

    afterAll(async () => {
      await browser?.close();
      await pantry?.stop();
      await nginx?.stop();
      await site?.close();
      ws?.remove();
    });

    it('sets HttpOnly 400-day identity cookies for the site’s domain on the HTML document; the same visitor after a reload', async () => {
      const context = await browser.newContext();
      const tab = await context.newPage();
      const first = await tab.goto(url(SHOP));
      expect(first!.status()).toBe(200);
      // Set by the document's own response: the page loads no Pantry script at all.
      expect((await setCookieLines(first)).join('\n')).toContain(
        `x-unblu-${KEY}-anonymous-person=`,
      );
      const jar = identity(await context.cookies(url(SHOP)), KEY);
      expectDurable(jar.device, 'shop.test');
      expectDurable(jar.person, 'shop.test');
      const visitor = jar.person!.value.split('.')[0];
      // HttpOnly: the page's scripts cannot read them.
      expect(await tab.evaluate(() => document.cookie)).not.toContain('x-unblu-');

      const again = await tab.reload();
      expect(again!.status()).toBe(200);
      expect((await setCookieLines(again)).join('\n')).toContain(
        `x-unblu-${KEY}-anonymous-person=${visitor}.`,
      );
      expect(identity(await context.cookies(url(SHOP)), KEY).person!.value.split('.')[0]).toBe(
        visitor,
      );
      await context.close();
    });

    it('respects GPC: a browser sending Sec-GPC: 1 gets no identity cookies', async () => {
      const gpc = await browser.newContext({ extraHTTPHeaders: { 'sec-gpc': '1' } });
      const response = await (await gpc.newPage()).goto(url(SHOP));
      expect(response!.status()).toBe(200);
      expect(identity(await gpc.cookies(url(SHOP)), KEY)).toEqual({
        device: undefined,
        person: undefined,
      });
      await gpc.close();
    });

    it('respects consent: none before the visitor consents through the snippet, identity after, refreshed by the next document', async () => {
      const context = await browser.newContext();
      const tab = await context.newPage();
      expect((await tab.goto(url(GATED)))!.status()).toBe(200);
      expect(identity(await context.cookies(url(GATED)), GATED_KEY)).toEqual({
        device: undefined,
        person: undefined,
      });
      const answer = await consent(tab, true);
      expect(answer.visitorId).toMatch(/^[A-Za-z0-9_-]{10,}$/);
      const jar = identity(await context.cookies(url(GATED)), GATED_KEY);
      expectDurable(jar.person, 'gated.test');

      const reloaded = await tab.reload();
      expect((await setCookieLines(reloaded)).join('\n')).toContain(
        `x-unblu-${GATED_KEY}-anonymous-person=${answer.visitorId}.`,
      );
      expect(
        identity(await context.cookies(url(GATED)), GATED_KEY).person!.value.split('.')[0],
      ).toBe(answer.visitorId);
      await context.close();
    });

    it('restores the analytics id the page’s script wrote, after script-written cookies are deleted', async () => {
      const context = await browser.newContext();
      const first = await context.newPage();
      await first.goto(url(SHOP));
      expect(
        await first.evaluate(() => (window as unknown as { ajsMinted: boolean }).ajsMinted),
      ).toBe(true);
      const id = await first.evaluate(() => (window as unknown as { ajsId: string }).ajsId);
      // The next document carries it: Pantry learns it and sets it again for 400 days.
      const second = await first.reload();
      expect((await setCookieLines(second)).join('\n')).toContain(`ajs_anonymous_id=${id}`);
      const kept = (await context.cookies(url(SHOP))).find((c) => c.name === 'ajs_anonymous_id');
      expect(kept?.httpOnly).toBe(false);
      expect((kept!.expires - Date.now() / 1000) / DAY).toBeGreaterThan(399);

      // Safari after 7 days: every cookie a script wrote is gone; Pantry's HttpOnly ones stay.
      await purgeScriptStorage(context);
      expect((await context.cookies(url(SHOP))).map((c) => c.name)).not.toContain(
        'ajs_anonymous_id',
      );
      const third = await context.newPage();
      await third.goto(url(SHOP));
      // Back on the document's response, before the page's script ran: it minted nothing.
      expect(
        await third.evaluate(() => (window as unknown as { ajsMinted: boolean }).ajsMinted),
      ).toBe(false);
      expect(await third.evaluate(() => (window as unknown as { ajsId: string }).ajsId)).toBe(id);
      await context.close();
    });

    it('loads the page within the timeout, without Pantry’s cookies, while Pantry is silent (SIGSTOP)', async () => {
      const context = await browser.newContext();
      const tab = await context.newPage();
      // Warm: the connection to nginx is open, so the time is nginx's wait.
      await tab.goto(url(SHOP, '/?warm'));
      await context.clearCookies();
      const pid = pantry.child.pid!;
      process.kill(pid, 'SIGSTOP');
      let ms: number;
      try {
        const started = Date.now();
        const response = await tab.goto(url(SHOP));
        ms = Date.now() - started;
        expect(response!.status()).toBe(200);
        expect(await tab.textContent('h1')).toBe('Shop');
        expect(identity(await context.cookies(url(SHOP)), KEY)).toEqual({
          device: undefined,
          person: undefined,
        });
      } finally {
        process.kill(pid, 'SIGCONT');
      }
      process.stdout.write(
        `edge mode in Chromium, Pantry stopped with SIGSTOP: page in ${ms} ms\n`,
      );
      expect(ms).toBeGreaterThanOrEqual(READ_TIMEOUT_MS - 10);
      expect(ms).toBeLessThan(READ_TIMEOUT_MS + 1000);
      await context.close();
    });

    it('loads the page (200) without Pantry’s cookies when Pantry is stopped', async () => {
      await pantry.stop();
      const context = await browser.newContext();
      const tab = await context.newPage();
      const response = await tab.goto(url(SHOP));
      expect(response!.status()).toBe(200);
      expect(await tab.textContent('h1')).toBe('Shop');
      expect(
        (await context.cookies(url(SHOP))).filter((c) => c.name.startsWith('x-unblu-')),
      ).toEqual([]);
      await context.close();
    });
  },
  [NGINX],
);
