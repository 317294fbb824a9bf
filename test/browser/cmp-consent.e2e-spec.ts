/**
 * Consent from the site's CMP (SPEC §15) in Chromium, against a real Pantry: pages made of the
 * README "Consent from your CMP" blocks, accounts made of its properties blocks. TCF: the IAB
 * Tech Lab's CMP API (`@iabtechlabtcf/cmpapi`) on the page, answering with TC strings the test
 * encodes with `@iabtechlabtcf/core`. Google Consent Mode: `gtag` and the `dataLayer`.
 * Identity is read where the browser keeps it: the cookie jar (PRODUCT_DOMAIN) and the relayed
 * copies (LOCAL_STORAGE, cross-site), and in the admin API's visitor record.
 */
import { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { TEST_ADMIN_TOKEN } from '../helpers/test-app';
import { tcString } from '../helpers/tcf';
import { CMP_PATH, cmpBlocks, cmpPage, cmpScript, Source } from './cmp-pages';
import type { Answer, RunningPantry } from './harness';
import {
  consent,
  copies,
  describeWithBrowser,
  launchBrowser,
  servePage,
  startPantry,
  startSite,
} from './harness';
import { purgeScriptStorage } from './sdk-pages';

jest.setTimeout(90_000);

// v2.3 strings (policy version 5, the vendors disclosed), as a CMP writes them.
const disclosed = [42, 755];
const GRANTED = tcString({ purposes: [1, 2], disclosed });
const WITHDRAWN = tcString({ purposes: [2], disclosed });
const WITH_VENDOR = tcString({ purposes: [1, 2], vendors: [42, 755], disclosed });
const WITHOUT_VENDOR = tcString({ purposes: [1, 2], vendors: [42], disclosed });

/** The suite's accounts: name → source, deployment, the lines the README block does not set. */
const ACCOUNTS = {
  // PRODUCT_DOMAIN: www.shop-tcf.test with Pantry on cookies.shop-tcf.test.
  tcf: { source: 'TCF', domain: 'shop-tcf', extra: [] },
  // The same, with a vendor required.
  vendor: { source: 'TCF', domain: 'shop-vendor', extra: ['consent.tcfVendorId = 755'] },
  // Cross-site: www.shop-relay.test with Pantry on api.pantry.test, LOCAL_STORAGE.
  relay: { source: 'TCF', domain: 'shop-relay', extra: [] },
  gcm: { source: 'GOOGLE_CONSENT_MODE', domain: 'shop-gcm', extra: [] },
} as const satisfies Record<string, { source: Source; domain: string; extra: string[] }>;
type Account = keyof typeof ACCOUNTS;
const keyOf = (account: Account) => `${account}-cmp-key-0001`;
const anonymous = (account: Account) => `x-unblu-${keyOf(account)}-anonymous-person`;
const device = (account: Account) => `x-unblu-${keyOf(account)}-device`;

type CmpWindow = Window & {
  pantry: { ready: Promise<Answer>; visitorId: string | null; consentState: string | null };
  cmp?: { update(tcString: string | null, uiShown: boolean): void };
  dataLayer: unknown[];
  gtag(...args: unknown[]): void;
  hostOk?: boolean;
};

/** A README properties block with some of its lines' values replaced (a key is set once). */
function withOverrides(block: string, lines: readonly string[]): string {
  return lines.reduce((text, line) => {
    const key = line.split('=')[0].trim();
    const set = new RegExp(`^${key.replace(/\./g, '\\.')}\\s*=.*$`, 'm');
    return set.test(text) ? text.replace(set, line) : `${text}\n${line}`;
  }, block);
}

describeWithBrowser('consent from the site’s CMP in Chromium', () => {
  const blocks = cmpBlocks();
  const cmp = cmpScript();
  let browser: Browser;
  let pantry: RunningPantry;
  let site: Awaited<ReturnType<typeof startSite>>;
  /** Where each account's Pantry is, seen from its page. */
  const pantryOrigin = (account: Account) =>
    account === 'relay'
      ? `http://api.pantry.test:${pantry.port}`
      : `http://cookies.${ACCOUNTS[account].domain}.test:${pantry.port}`;
  const pageUrl = (account: Account, path = '/') =>
    `http://www.${ACCOUNTS[account].domain}.test:${site.port}${path}`;

  beforeAll(async () => {
    const page = (account: Account, edit?: (html: string) => string) => () =>
      cmpPage(blocks, ACCOUNTS[account].source, keyOf(account), pantryOrigin(account), edit);
    site = await startSite([
      // www.shop-<account>.test/: the account's page.
      servePage('/', (req) =>
        page((req.headers.host ?? '').split('.')[1].replace('shop-', '') as Account)(),
      ),
      // No stub: the snippet looks for __tcfapi until the CMP's script is there.
      servePage(
        '/no-stub',
        page('tcf', (html) => html.replace(/<script>[^]*?<\/script>/, '')),
      ),
      // keep.js first (SPEC §14): its answer already read the CMP's euconsent-v2 cookie.
      servePage(
        '/keep',
        page(
          'tcf',
          (html) =>
            `<script src="${pantryOrigin('tcf')}/unblu/v1/keep.js?x-unblu-apikey=${keyOf('tcf')}"></script>\n${html}`,
        ),
      ),
      // The page's CMP already said yes before the snippet ran.
      servePage(
        '/updated',
        page('gcm', (html) =>
          html.replace(
            '</script>',
            "  gtag('consent', 'update', { analytics_storage: 'granted' });\n</script>",
          ),
        ),
      ),
      // A broken CMP: __tcfapi throws.
      servePage(
        '/broken',
        page('tcf', (html) =>
          html
            .replace(
              /<script>[^]*?<\/script>/,
              "<script>window.__tcfapi = function () { throw new Error('broken CMP'); };</script>",
            )
            .replace(`<script src="${CMP_PATH}" async></script>`, ''),
        ),
      ),
      (req, res) => {
        if (req.url !== CMP_PATH) return false;
        res.writeHead(200, { 'content-type': 'text/javascript' }).end(cmp);
        return true;
      },
    ]);
    const accounts = Object.fromEntries(
      (Object.keys(ACCOUNTS) as Account[]).map((account) => {
        const { source, domain, extra } = ACCOUNTS[account];
        return [
          account,
          [
            withOverrides(blocks.properties[source], extra),
            `account.apiKeys = ${keyOf(account)}`,
            `server.cors.allowedOrigins = http://www.${domain}.test:${site.port}`,
            account === 'relay'
              ? 'server.cors.corsCookieMode = LOCAL_STORAGE'
              : 'server.cors.corsCookieMode = PRODUCT_DOMAIN',
            'identifier.cookieDomain = AUTO',
            'identifier.cookieSecureFlag = false',
          ].join('\n'),
        ];
      }),
    );
    pantry = await startPantry({ accounts });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await pantry?.close();
    await site?.close();
  });

  /** A page, with its identify calls (the consent headers each carried) and page errors. */
  async function open(
    context: BrowserContext,
    url: string,
    options: { lateCmp?: number } = {},
  ): Promise<{ page: Page; identifies: Record<string, string>[]; errors: string[] }> {
    const page = await context.newPage();
    if (options.lateCmp) {
      await page.route(`**${CMP_PATH}`, async (route) => {
        await new Promise((r) => setTimeout(r, options.lateCmp));
        await route.continue();
      });
    }
    const identifies: Record<string, string>[] = [];
    const errors: string[] = [];
    page.on('request', (r: Request) => {
      if (r.method() !== 'POST' || !r.url().includes('/v1/identify')) return;
      const h = r.headers();
      identifies.push(
        Object.fromEntries(
          ['x-unblu-tcf', 'x-unblu-gcm'].filter((n) => n in h).map((n) => [n, h[n]]),
        ),
      );
    });
    page.on('pageerror', (e) => errors.push(e.message));
    // Not until `load`: that waits for the CMP's async script.
    await page.goto(url, { waitUntil: 'domcontentloaded' });
    await page.waitForFunction(() => (window as unknown as CmpWindow).hostOk === true);
    return { page, identifies, errors };
  }

  /** The CMP answers (a string, or null: GDPR does not apply); resolves with Pantry's answer. */
  async function cmpAnswers(page: Page, tc: string | null, uiShown = false): Promise<Answer> {
    await page.waitForFunction(() => (window as unknown as CmpWindow).cmp !== undefined);
    const identify = page.waitForResponse((r) => r.url().includes('/v1/identify'));
    await page.evaluate(([s, ui]) => (window as unknown as CmpWindow).cmp!.update(s, ui), [
      tc,
      uiShown,
    ] as const);
    return settled(page, (await (await identify).json()) as Answer);
  }

  /** Waits until the snippet took an answer (window.pantry shows it); returns it. */
  async function settled(page: Page, answer: Answer): Promise<Answer> {
    await page.waitForFunction(
      ([c, v]) => {
        const p = (window as unknown as CmpWindow).pantry;
        return p.consentState === c && p.visitorId === v;
      },
      [answer.consent, answer.visitorId] as const,
    );
    return answer;
  }

  /** The identity cookies the browser holds for the account (PRODUCT_DOMAIN). */
  async function identityCookies(context: BrowserContext, account: Account): Promise<string[]> {
    const jar = await context.cookies(pantryOrigin(account));
    return jar.map((c) => c.name).filter((n) => n === anonymous(account) || n === device(account));
  }

  async function visitorRecord(
    account: Account,
    visitorId: string,
  ): Promise<Record<string, unknown>> {
    // The registry writes sightings in batches: ask until the decision is there.
    const deadline = Date.now() + 10_000;
    for (;;) {
      const res = await fetch(
        `http://127.0.0.1:${pantry.port}/admin/v1/accounts/${account}/visitors/${visitorId}`,
        { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } },
      );
      const record = res.status === 200 ? ((await res.json()) as Record<string, unknown>) : {};
      if (record.consentSource || Date.now() > deadline) return record;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  describe('TCF', () => {
    it('no identity before the CMP answers; consented purposes issue it; withdrawing purpose 1 deletes it in the browser', async () => {
      const context = await browser.newContext();
      const { page, identifies, errors } = await open(context, pageUrl('tcf'));
      await page.waitForTimeout(800);
      expect(identifies).toEqual([]);
      expect(await identityCookies(context, 'tcf')).toEqual([]);

      const granted = await cmpAnswers(page, GRANTED);
      expect(granted).toMatchObject({ consent: 'granted', visitorId: expect.any(String) });
      expect(identifies).toEqual([{ 'x-unblu-tcf': GRANTED }]);
      expect((await identityCookies(context, 'tcf')).sort()).toEqual(
        [anonymous('tcf'), device('tcf')].sort(),
      );
      expect(await page.evaluate(() => (window as unknown as CmpWindow).pantry.ready)).toEqual(
        granted,
      );
      // The record shows the source, the purposes and when; never the string.
      const record = await visitorRecord('tcf', granted.visitorId!);
      expect(record).toMatchObject({
        consent: 'granted',
        consentSource: 'tcf',
        consentPurposes: [1, 2],
        consentAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
      expect(JSON.stringify(record)).not.toContain(GRANTED.slice(0, 20));

      const withdrawn = await cmpAnswers(page, WITHDRAWN);
      expect(withdrawn).toMatchObject({ consent: 'denied', visitorId: null });
      expect(identifies).toEqual([{ 'x-unblu-tcf': GRANTED }, { 'x-unblu-tcf': WITHDRAWN }]);
      expect(await identityCookies(context, 'tcf')).toEqual([]);
      expect(errors).toEqual([]);
      await context.close();
    });

    it('withdrawing purpose 1 deletes the relayed copies too (LOCAL_STORAGE, cross-site)', async () => {
      const context = await browser.newContext();
      const { page } = await open(context, pageUrl('relay'));
      const granted = await cmpAnswers(page, GRANTED);
      expect(granted).toMatchObject({ consent: 'granted', visitorId: expect.any(String) });
      expect((await copies(page)).map((c) => c.name)).toEqual(
        expect.arrayContaining([anonymous('relay'), device('relay')]),
      );
      const relayed = page.waitForResponse((r) => r.url().includes('/v1/identify'));
      const withdrawn = await cmpAnswers(page, WITHDRAWN);
      expect(withdrawn).toMatchObject({ consent: 'denied', visitorId: null });
      const relay = JSON.parse(
        (await (await relayed).headerValue('x-unblu-set-cookie')) ?? '{}',
      ) as {
        cookies: { name: string; value: string; expires: number }[];
      };
      expect(relay.cookies).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ name: anonymous('relay'), value: '', expires: 0 }),
          expect.objectContaining({ name: device('relay'), value: '', expires: 0 }),
        ]),
      );
      const names = (await copies(page)).map((c) => c.name);
      expect(names).not.toContain(anonymous('relay'));
      expect(names).not.toContain(device('relay'));

      // The next page, its copies fresh: the CMP's answer there (a grant again) is what ready
      // resolves with, not the stored answer.
      const next = await open(context, pageUrl('relay'));
      const again = await cmpAnswers(next.page, GRANTED);
      expect(again).toMatchObject({ consent: 'granted', visitorId: expect.any(String) });
      expect(await next.page.evaluate(() => (window as unknown as CmpWindow).pantry.ready)).toEqual(
        again,
      );
      expect(next.identifies).toEqual([{ 'x-unblu-tcf': GRANTED }]);
      await context.close();
    });

    it('gdprApplies false issues the identity, unless the browser sends Sec-GPC: 1', async () => {
      const context = await browser.newContext();
      const { page, identifies } = await open(context, pageUrl('tcf'));
      expect(await cmpAnswers(page, null)).toMatchObject({
        consent: 'granted',
        visitorId: expect.any(String),
      });
      expect(identifies).toEqual([{ 'x-unblu-tcf': '0' }]);
      expect(await identityCookies(context, 'tcf')).toHaveLength(2);
      await context.close();

      const gpc = await browser.newContext({ extraHTTPHeaders: { 'Sec-GPC': '1' } });
      const other = await open(gpc, pageUrl('tcf'));
      expect(await cmpAnswers(other.page, null)).toMatchObject({
        consent: 'denied',
        visitorId: null,
      });
      expect(await identityCookies(gpc, 'tcf')).toEqual([]);
      await gpc.close();
    });

    it('a vendor required and not consented: no identity; consented (and disclosed): identity', async () => {
      const context = await browser.newContext();
      const { page } = await open(context, pageUrl('vendor'));
      expect(await cmpAnswers(page, WITHOUT_VENDOR)).toMatchObject({
        consent: 'denied',
        visitorId: null,
      });
      expect(await identityCookies(context, 'vendor')).toEqual([]);
      expect(await cmpAnswers(page, WITH_VENDOR)).toMatchObject({
        consent: 'granted',
        visitorId: expect.any(String),
      });
      expect(await identityCookies(context, 'vendor')).toHaveLength(2);
      await context.close();
    });

    it('a CMP that loads late without a stub: the snippet waits for __tcfapi, then follows it', async () => {
      const context = await browser.newContext();
      const { page, identifies, errors } = await open(context, pageUrl('tcf', '/no-stub'), {
        lateCmp: 4_000,
      });
      await page.waitForTimeout(600);
      expect(await page.evaluate(() => typeof (window as unknown as CmpWindow).cmp)).toBe(
        'undefined',
      );
      expect(identifies).toEqual([]);
      expect(await cmpAnswers(page, GRANTED)).toMatchObject({ consent: 'granted' });
      expect(identifies).toEqual([{ 'x-unblu-tcf': GRANTED }]);
      expect(errors).toEqual([]);
      await context.close();
    });

    it('a CMP that throws: the page runs, identify goes without the header (no identity)', async () => {
      const context = await browser.newContext();
      const { page, identifies, errors } = await open(context, pageUrl('tcf', '/broken'));
      const answer = await page.evaluate(() => (window as unknown as CmpWindow).pantry.ready);
      expect(answer).toMatchObject({ consent: 'unset', visitorId: null });
      expect(identifies).toEqual([{}]);
      expect(errors).toEqual([]);
      expect(await identityCookies(context, 'tcf')).toEqual([]);
      await context.close();
    });

    it('after keep.js: no second call while the CMP says what its cookie said; a change still identifies', async () => {
      const context = await browser.newContext();
      // The CMP's cookie from an earlier page, on the site's registrable domain.
      await context.addCookies([
        { name: 'euconsent-v2', value: GRANTED, domain: '.shop-tcf.test', path: '/' },
      ]);
      const { page, identifies, errors } = await open(context, pageUrl('tcf', '/keep'));
      const preloaded = await page.evaluate(() => (window as unknown as CmpWindow).pantry.ready);
      expect(preloaded).toMatchObject({ consent: 'granted', visitorId: expect.any(String) });
      await page.waitForFunction(() => (window as unknown as CmpWindow).cmp !== undefined);
      await page.evaluate((s) => (window as unknown as CmpWindow).cmp!.update(s, false), GRANTED);
      await page.waitForTimeout(400);
      expect(identifies).toEqual([]);
      expect(await identityCookies(context, 'tcf')).toHaveLength(2);

      expect(await cmpAnswers(page, WITHDRAWN)).toMatchObject({
        consent: 'denied',
        visitorId: null,
      });
      expect(identifies).toEqual([{ 'x-unblu-tcf': WITHDRAWN }]);
      expect(await identityCookies(context, 'tcf')).toEqual([]);
      expect(errors).toEqual([]);
      await context.close();
    });

    it('Safari: with the CMP’s cookie and localStorage gone, the recorded consent holds on the next page until the CMP speaks again', async () => {
      const context = await browser.newContext();
      const first = await open(context, pageUrl('tcf'));
      // The CMP keeps its string in its own cookie, written by script (capped at 7 days in Safari).
      await first.page.evaluate(
        (s) =>
          (document.cookie = `euconsent-v2=${s}; domain=shop-tcf.test; path=/; max-age=31536000`),
        GRANTED,
      );
      const granted = await cmpAnswers(first.page, GRANTED);
      expect(granted.visitorId).toEqual(expect.any(String));
      await purgeScriptStorage(context);
      expect((await context.cookies()).map((c) => c.name)).not.toContain('euconsent-v2');

      // The CMP has no answer any more and asks again: the snippet identifies without a string.
      const next = await open(context, pageUrl('tcf'));
      const held = await cmpAnswers(next.page, '', true);
      expect(held).toMatchObject({ consent: 'granted', visitorId: granted.visitorId });
      expect(next.identifies).toEqual([{}]);
      expect(await identityCookies(context, 'tcf')).toHaveLength(2);

      // The visitor now declines in the CMP: the CMP wins.
      const declined = await cmpAnswers(next.page, WITHDRAWN);
      expect(declined).toMatchObject({ consent: 'denied', visitorId: null });
      expect(await identityCookies(context, 'tcf')).toEqual([]);
      await context.close();
    });
  });

  describe('Google Consent Mode', () => {
    /** The dataLayer's consent commands, and whether each is an Arguments object (gtag's). */
    const consentCommands = (page: Page) =>
      page.evaluate(() =>
        (window as unknown as CmpWindow).dataLayer
          .filter((e) => (e as ArrayLike<unknown>)[0] === 'consent')
          .map((e) => ({
            args: Object.prototype.toString.call(e) === '[object Arguments]',
            command: Array.from(e as ArrayLike<unknown>),
          })),
      );

    it('an update already on the dataLayer when the snippet starts: its first identify carries it', async () => {
      const context = await browser.newContext();
      const { page, identifies } = await open(context, pageUrl('gcm', '/updated'));
      expect(
        await page.evaluate(() => (window as unknown as CmpWindow).pantry.ready),
      ).toMatchObject({ consent: 'granted', visitorId: expect.any(String) });
      expect(identifies).toEqual([{ 'x-unblu-gcm': 'update=granted' }]);
      expect(await identityCookies(context, 'gcm')).toHaveLength(2);
      await context.close();
    });

    it('Safari: the recorded update outlives the page’s default on the next page, and is published to its tags', async () => {
      const context = await browser.newContext();
      const { page } = await open(context, pageUrl('gcm', '/updated'));
      const granted = await page.evaluate(() => (window as unknown as CmpWindow).pantry.ready);
      await purgeScriptStorage(context);

      // The CMP's own cookie is gone: the page says only its default (denied).
      const next = await open(context, pageUrl('gcm'));
      const held = await next.page.evaluate(() => (window as unknown as CmpWindow).pantry.ready);
      expect(held).toMatchObject({ consent: 'granted', visitorId: granted.visitorId });
      expect(next.identifies).toEqual([{ 'x-unblu-gcm': 'default=denied' }]);
      await next.page.waitForFunction(() => (window as unknown as CmpWindow).dataLayer.length >= 2);
      expect(await consentCommands(next.page)).toEqual([
        {
          args: true,
          command: ['consent', 'default', { analytics_storage: 'denied', ad_storage: 'denied' }],
        },
        { args: true, command: ['consent', 'update', { analytics_storage: 'granted' }] },
      ]);
      await next.page.waitForTimeout(300);
      expect(next.identifies).toHaveLength(1);
      await context.close();
    });

    it('default denied: nothing; update granted: identity; pantry.consent(false) is published as an update', async () => {
      const context = await browser.newContext();
      const { page, identifies, errors } = await open(context, pageUrl('gcm'));
      const first = await page.evaluate(() => (window as unknown as CmpWindow).pantry.ready);
      expect(first).toMatchObject({ consent: 'denied', visitorId: null });
      expect(identifies).toEqual([{ 'x-unblu-gcm': 'default=denied' }]);
      expect(await identityCookies(context, 'gcm')).toEqual([]);

      const identify = page.waitForResponse((r) => r.url().includes('/v1/identify'));
      await page.evaluate(() =>
        (window as unknown as CmpWindow).gtag('consent', 'update', {
          analytics_storage: 'granted',
        }),
      );
      const granted = await settled(page, (await (await identify).json()) as Answer);
      expect(granted).toMatchObject({ consent: 'granted', visitorId: expect.any(String) });
      expect(identifies).toEqual([
        { 'x-unblu-gcm': 'default=denied' },
        { 'x-unblu-gcm': 'update=granted' },
      ]);
      expect(await identityCookies(context, 'gcm')).toHaveLength(2);
      expect(await visitorRecord('gcm', granted.visitorId!)).toMatchObject({
        consentSource: 'gcm',
      });

      // Pantry's answer agrees with the page: nothing published.
      expect(await consentCommands(page)).toHaveLength(2);

      expect(await consent(page, false)).toMatchObject({ consent: 'denied', visitorId: null });
      expect((await consentCommands(page)).at(-1)).toEqual({
        args: true,
        command: ['consent', 'update', { analytics_storage: 'denied' }],
      });
      expect(await identityCookies(context, 'gcm')).toEqual([]);
      // Its own update is not taken as the page's: no identify after it.
      await page.waitForTimeout(300);
      expect(identifies).toHaveLength(2);
      expect(errors).toEqual([]);
      await context.close();
    });
  });
});
