import { Browser, BrowserContext, Cookie } from 'playwright-core';
import { NGINX, RunningNginx, startSiteBehindNginx } from '../helpers/nginx';
import {
  describeWithBrowser,
  expectDurable,
  launchBrowser,
  RunningPantry,
  startPantry,
  startSite,
  visit,
} from './harness';

jest.setTimeout(60_000);

const KEY = 'shop-key-0001';
const DOC_KEY = 'doc-key-0001';

/**
 * A shop page with the snippet from its own origin, and a second deferred script that records
 * what `window.pantry` held the moment the snippet had run (before any answer could arrive).
 */
function page(snippetSrc: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>shop</title></head>
<body><h1>Shop</h1>
<script src="${snippetSrc}" defer></script>
<script src="/after.js" defer></script>
</body></html>`;
}
const AFTER_JS =
  'window.syncVisitorId = window.pantry ? window.pantry.visitorId : "no pantry"; window.syncConsent = window.pantry && window.pantry.consentState;';

/** Pantry's identity cookies in the browser's jar, by kind. */
function identityCookies(cookies: Cookie[], key: string) {
  const by = (kind: string) => cookies.find((c) => c.name === `x-unblu-${key}-${kind}`);
  return { device: by('device'), person: by('anonymous-person'), session: by('session') };
}

describeWithBrowser(
  'durable deployments in Chromium: same-origin path (nginx) and document mode',
  () => {
    let browser: Browser;
    let pantry: RunningPantry;
    let site: Awaited<ReturnType<typeof startSite>>;
    let nginx: RunningNginx;

    beforeAll(async () => {
      site = await startSite([
        (req, res) => {
          const path = req.url?.split('?')[0];
          if (path === '/after.js') {
            res.writeHead(200, { 'content-type': 'text/javascript' }).end(AFTER_JS);
            return true;
          }
          if (path === '/' || path === '/doc') {
            // The same page either way: through nginx (snippet under /pantry/) or through
            // Pantry itself in document mode (snippet under Pantry's own /unblu/).
            const src =
              path === '/'
                ? `/pantry/unblu/visitor.js?x-unblu-apikey=${KEY}`
                : `/unblu/visitor.js?x-unblu-apikey=${DOC_KEY}`;
            res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page(src));
            return true;
          }
          return false;
        },
      ]);
      pantry = await startPantry({
        app: 'server.trustProxy = true',
        accounts: {
          shop: [
            `account.apiKeys = ${KEY}`,
            'identifier.cookieDomain = AUTO',
            'identifier.cookieSecureFlag = false',
            'consent.required = false',
          ].join('\n'),
          doc: [
            `account.apiKeys = ${DOC_KEY}`,
            'proxy.hosts = www.shop-two.test',
            `proxy.upstream = http://127.0.0.1:${site.port}`,
            'identifier.cookieDomain = AUTO',
            'identifier.cookieSecureFlag = false',
            'consent.required = false',
          ].join('\n'),
        },
      });
      nginx = await startSiteBehindNginx(pantry.port, site.port);
      browser = await launchBrowser();
    });

    afterAll(async () => {
      await browser?.close();
      await nginx?.stop();
      await pantry?.close();
      await site?.close();
    });

    /** Two page loads in one browser; the second with identify held back for 500 ms. */
    async function twoLoads(context: BrowserContext, url: string) {
      const first = await visit(context, url);
      await first.page.close();
      const second = await context.newPage();
      await second.route('**/v1/identify*', async (route) => {
        await new Promise((r) => setTimeout(r, 500));
        await route.continue();
      });
      await second.goto(url);
      const sync = await second.evaluate(
        () => (window as unknown as { syncVisitorId: unknown }).syncVisitorId,
      );
      const answer = await second.evaluate(
        () =>
          (window as unknown as { pantry: { ready: Promise<{ visitorId: string }> } }).pantry.ready,
      );
      const documentCookie = await second.evaluate(() => document.cookie);
      return { first, sync, answer, documentCookie };
    }

    it('same-origin path behind nginx: first-party, server-set, HttpOnly, 400 days, same visitor after reload', async () => {
      const context = await browser.newContext();
      const url = `http://www.shop-one.test:${nginx.port}/`;
      const { first, sync, answer, documentCookie } = await twoLoads(context, url);
      expect(first.errors).toEqual([]);
      expect(first.answer.visitorId).toMatch(/^[A-Za-z0-9_-]{10,}$/);
      expect(first.identifyCalls).toBe(1);

      const jar = identityCookies(await context.cookies(url), KEY);
      expectDurable(jar.device, 'shop-one.test');
      expectDurable(jar.person, 'shop-one.test');
      expect(jar.session?.expires).toBe(-1); // a browser-session cookie
      expect(jar.person!.value.startsWith(`${first.answer.visitorId}.`)).toBe(true);

      // Same visitor after reload; the id was there synchronously, before the answer came.
      expect(answer.visitorId).toBe(first.answer.visitorId);
      expect(sync).toBe(first.answer.visitorId);
      // HttpOnly: script cannot read them.
      expect(documentCookie).not.toContain('x-unblu-');
      await context.close();
    });

    it('a fresh browser is a new visitor', async () => {
      const a = await browser.newContext();
      const b = await browser.newContext();
      const url = `http://www.shop-one.test:${nginx.port}/`;
      const one = await visit(a, url);
      const two = await visit(b, url);
      expect(two.answer.visitorId).not.toBe(one.answer.visitorId);
      await a.close();
      await b.close();
    });

    it('document mode: the page itself, served through Pantry, sets the cookies', async () => {
      const context = await browser.newContext();
      const url = `http://www.shop-two.test:${pantry.port}/doc`;
      const firstPage = await context.newPage();
      const response = await firstPage.goto(url);
      // Set by the document response, before the snippet has run.
      const setCookie = (await response!.headersArray())
        .filter((h) => h.name.toLowerCase() === 'set-cookie')
        .map((h) => h.value);
      expect(setCookie.join('\n')).toContain(`x-unblu-${DOC_KEY}-anonymous-person=`);
      await firstPage.close();

      const jar = identityCookies(await context.cookies(url), DOC_KEY);
      expectDurable(jar.device, 'shop-two.test');
      expectDurable(jar.person, 'shop-two.test');
      const visitorId = jar.person!.value.split('.')[0];

      const { sync, answer, documentCookie } = await twoLoads(context, url);
      expect(answer.visitorId).toBe(visitorId);
      expect(sync).toBe(visitorId);
      expect(documentCookie).not.toContain('x-unblu-');
      expect(identityCookies(await context.cookies(url), DOC_KEY).person!.value.split('.')[0]).toBe(
        visitorId,
      );
      await context.close();
    });
  },
  [NGINX],
);
