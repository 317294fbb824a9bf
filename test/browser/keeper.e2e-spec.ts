/**
 * The cookie keeper (SPEC §14) with the real analytics SDKs in Chromium, offline: Segment
 * analytics-next, RudderStack v3, PostHog, Snowplow v4 and Treasure Data, loaded from their npm
 * packages on pages made of README "Keeping your analytics ids" blocks, in the three deployment
 * modes that can keep cookies: the same-origin path behind a real nginx, the subdomain
 * (`cookies.shop.test` for `www.shop.test`, PRODUCT_DOMAIN, AUTO domain) and document mode.
 *
 * Each SDK's id is recorded through its own API; then every cookie a script can see and all of
 * localStorage are deleted (what Safari does after 7 days; Pantry's HttpOnly cookies stay), and
 * the next page must show the same ids, restored by `Set-Cookie` lines of ≥ 390 days. The same
 * pages on accounts without `keeper.cookies` show new ids.
 */
import { Browser, BrowserContext, Cookie, Page } from 'playwright-core';
import { derivedCookie } from '../../src/keeper/keeper-adapters';
import { TEST_ADMIN_TOKEN } from '../helpers/test-app';
import { NGINX, RunningNginx, startSiteBehindNginx } from '../helpers/nginx';
import {
  consent,
  describeWithBrowser,
  launchBrowser,
  RunningPantry,
  startPantry,
  startSite,
} from './harness';
import {
  Mode,
  purgeScriptStorage,
  readmeBlocks,
  SDK_COOKIE,
  sdkCookiesWritten,
  sdkIds,
  SDKS,
  sdkScripts,
  shopPage,
  Sdk,
} from './sdk-pages';

jest.setTimeout(120_000);

const DAY = 24 * 60 * 60;
const SUB_PANTRY = (port: number) => `http://cookies.shop.test:${port}`;
const CROSS_PANTRY = (port: number) => `http://api.pantry-cross.test:${port}`;
const KEPT = 'keeper.cookies = segment, rudderstack, posthog, snowplow, treasuredata, ga';

/** The accounts of each mode: the keeper on, off, and on with derive. */
const FLAVOURS = ['keep', 'off', 'derive'] as const;
type Flavour = (typeof FLAVOURS)[number];
/**
 * Where the page gets Pantry: a deployment mode that keeps cookies, or `cross`, cross-site
 * (Pantry on a domain of its own, LOCAL_STORAGE), where the keeper keeps nothing.
 */
type Where = Mode | 'cross';
const keyOf = (where: Where, flavour: Flavour) => `${where}-${flavour}-0001`;
const ACCOUNT_PREFIX: Record<Where, string> = {
  path: 'path',
  subdomain: 'sub',
  document: 'doc',
  cross: 'cross',
};

/** The page's host in each mode (document mode: one proxied host per account). */
function pageHost(mode: Where, flavour: Flavour): string {
  if (mode === 'cross') return 'www.shop-cross.test';
  if (mode === 'path') return 'www.shop-path.test';
  if (mode === 'subdomain') return 'www.shop.test';
  return flavour === 'keep' ? 'www.shop-doc.test' : `www.shop-doc-${flavour}.test`;
}

function keeperLines(flavour: Flavour): string[] {
  if (flavour === 'off') return [];
  return flavour === 'derive' ? [KEPT, 'keeper.derive = true'] : [KEPT];
}

interface VisitorRecord {
  readonly keptCookies: string[];
}

/** A page view: the SDKs' ids, Pantry's visitor id, the Pantry calls and Set-Cookie lines seen. */
interface View {
  readonly page: Page;
  readonly ids: Record<Sdk, string>;
  readonly visitorId: string | null;
  /** Pantry API calls of the page (`v1/keep.js`, `v1/identify`, …), in order. */
  readonly calls: string[];
  /** Every Set-Cookie line the page's responses carried. */
  readonly setCookies: string[];
  readonly errors: string[];
}

/**
 * Opens a page. `slowKeep`: keep.js answers 400 ms late, so an SDK that ran before it had set
 * the cookies would mint a new id (keep.js must block the scripts after it).
 */
async function open(
  context: BrowserContext,
  url: string,
  options: { slowKeep?: boolean } = {},
): Promise<View> {
  const page = await context.newPage();
  if (options.slowKeep) {
    await page.route('**/v1/keep.js*', async (route) => {
      await new Promise((r) => setTimeout(r, 400));
      await route.continue();
    });
  }
  const calls: string[] = [];
  const headers: Promise<string[]>[] = [];
  const errors: string[] = [];
  page.on('request', (r) => {
    const path = new URL(r.url()).pathname;
    const api = /\/unblu\/(v1\/.*)$/.exec(path);
    if (api) calls.push(api[1]);
  });
  page.on('response', (r) => {
    headers.push(
      r
        .headersArray()
        .then((h) =>
          h
            .filter((x) => x.name.toLowerCase() === 'set-cookie')
            .flatMap((x) => x.value.split('\n')),
        )
        .catch(() => []),
    );
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  const ids = await sdkIds(page);
  const visitorId = await page.evaluate(
    async () =>
      (
        await (window as unknown as { pantry: { ready: Promise<{ visitorId: string | null }> } })
          .pantry.ready
      ).visitorId,
  );
  const setCookies = (await Promise.all(headers)).flat();
  return { page, ids, visitorId, calls, setCookies, errors };
}

/** The Set-Cookie line that set `name`, and its Max-Age in days. */
function setCookieOf(lines: string[], name: string): { line: string; maxAgeDays: number } | null {
  const line = lines.find((l) => l.startsWith(`${name}=`));
  if (line === undefined) return null;
  const maxAge = /;\s*Max-Age=(-?\d+)/i.exec(line)?.[1];
  return { line, maxAgeDays: maxAge === undefined ? NaN : Number(maxAge) / DAY };
}

/** The SDKs' cookies in the jar, by SDK. */
function sdkCookies(jar: Cookie[]): Partial<Record<Sdk, Cookie>> {
  return Object.fromEntries(
    SDKS.flatMap((s) => {
      const c = jar.find((x) => SDK_COOKIE[s].test(x.name));
      return c ? [[s, c]] : [];
    }),
  );
}

describeWithBrowser(
  'cookie keeper: real analytics SDKs in Chromium keep their ids across a Safari-style purge',
  () => {
    let browser: Browser;
    let pantry: RunningPantry;
    let site: Awaited<ReturnType<typeof startSite>>;
    let nginx: RunningNginx;
    const blocks = readmeBlocks();

    /** The page of a mode and account, where the browser opens it. */
    function url(mode: Where, flavour: Flavour): string {
      const port = mode === 'path' ? nginx.port : mode === 'document' ? pantry.port : site.port;
      return `http://${pageHost(mode, flavour)}:${port}/?m=${mode}&a=${flavour}`;
    }

    beforeAll(async () => {
      const scripts = await sdkScripts();
      site = await startSite([
        (req, res) => {
          const u = new URL(req.url ?? '/', 'http://site');
          const script = scripts.get(u.pathname);
          if (script !== undefined) {
            res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
            return true;
          }
          if (u.pathname !== '/') return false;
          const where = u.searchParams.get('m') as Where;
          const flavour = u.searchParams.get('a') as Flavour;
          // Cross-site: the subdomain's tags, with Pantry on a site of its own.
          const html =
            where === 'cross'
              ? shopPage(blocks, 'subdomain', keyOf(where, flavour), CROSS_PANTRY(pantry.port))
              : shopPage(blocks, where, keyOf(where, flavour), SUB_PANTRY(pantry.port));
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
          return true;
        },
      ]);
      const common = [
        'identifier.cookieDomain = AUTO',
        'identifier.cookieSecureFlag = false',
        'consent.required = false',
        'server.cors.corsCookieMode = PRODUCT_DOMAIN',
      ];
      const accounts: Record<string, string> = {};
      for (const flavour of FLAVOURS) {
        accounts[`path-${flavour}`] = [
          `account.apiKeys = ${keyOf('path', flavour)}`,
          ...common,
          ...keeperLines(flavour),
        ].join('\n');
        accounts[`sub-${flavour}`] = [
          `account.apiKeys = ${keyOf('subdomain', flavour)}`,
          ...common,
          `server.cors.allowedOrigins = http://www.shop.test:${site.port}`,
          ...keeperLines(flavour),
        ].join('\n');
        accounts[`doc-${flavour}`] = [
          `account.apiKeys = ${keyOf('document', flavour)}`,
          ...common,
          `proxy.hosts = ${pageHost('document', flavour)}`,
          `proxy.upstream = http://127.0.0.1:${site.port}`,
          ...keeperLines(flavour),
        ].join('\n');
      }
      accounts['cross-keep'] = [
        `account.apiKeys = ${keyOf('cross', 'keep')}`,
        'identifier.cookieSecureFlag = false',
        'consent.required = false',
        'server.cors.corsCookieMode = LOCAL_STORAGE',
        `server.cors.allowedOrigins = http://${pageHost('cross', 'keep')}:${site.port}`,
        // derive too: nothing is minted where nothing can be kept
        ...keeperLines('derive'),
      ].join('\n');
      pantry = await startPantry({ app: 'server.trustProxy = true', accounts });
      nginx = await startSiteBehindNginx(pantry.port, site.port);
      // Snowplow and Treasure Data write Secure cookies (Chromium drops them on plain http):
      // the test's origins count as secure, as https would be.
      const origins = [
        `http://${pageHost('path', 'keep')}:${nginx.port}`,
        `http://www.shop.test:${site.port}`,
        SUB_PANTRY(pantry.port),
        `http://${pageHost('cross', 'keep')}:${site.port}`,
        CROSS_PANTRY(pantry.port),
        ...FLAVOURS.map((f) => `http://${pageHost('document', f)}:${pantry.port}`),
      ];
      browser = await launchBrowser([
        `--unsafely-treat-insecure-origin-as-secure=${origins.join(',')}`,
      ]);
    });

    afterAll(async () => {
      await browser?.close();
      await nginx?.stop();
      await pantry?.close();
      await site?.close();
    });

    /** A context that reaches only the test's own servers: anything else is aborted. */
    async function offlineContext(): Promise<BrowserContext> {
      const context = await browser.newContext();
      const ours = new Set([nginx.port, site.port, pantry.port].map(String));
      await context.route('**/*', (route) => {
        const u = new URL(route.request().url());
        return u.hostname.endsWith('.test') && ours.has(u.port) ? route.continue() : route.abort();
      });
      return context;
    }

    /**
     * The admin's visitor record (it writes what Pantry learnt before it reads: the kept
     * cookies' names are the stored ones).
     */
    async function visitorRecord(mode: Where, flavour: Flavour, visitorId: string) {
      const account = `${ACCOUNT_PREFIX[mode]}-${flavour}`;
      const res = await fetch(
        `http://127.0.0.1:${pantry.port}/admin/v1/accounts/${account}/visitors/${visitorId}`,
        { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } },
      );
      const text = await res.text();
      return {
        status: res.status,
        text,
        keptCookies: (JSON.parse(text) as VisitorRecord).keptCookies,
      };
    }

    /**
     * Two page views (the SDKs mint their ids on the first; the second's Pantry call carries
     * their cookies, which Pantry learns), the purge, and the page view after it.
     */
    async function purgeAndReload(mode: Where, flavour: Flavour) {
      const context = await offlineContext();
      const page = url(mode, flavour);
      const first = await open(context, page);
      await sdkCookiesWritten(context);
      const minted = sdkCookies(await context.cookies());
      await first.page.close();
      const second = await open(context, page);
      const record = await visitorRecord(mode, flavour, second.visitorId!);
      await purgeScriptStorage(context);
      const purged = await context.cookies();
      const after = await open(context, page, { slowKeep: true });
      return { context, first, second, minted, record, purged, after };
    }

    describe.each([
      ['same-origin path behind nginx', 'path'],
      ['subdomain, PRODUCT_DOMAIN, AUTO domain', 'subdomain'],
      ['document mode', 'document'],
    ] as const)('%s', (_name, mode) => {
      it('every SDK reports the same id after the purge, its cookie restored by Set-Cookie for ≥ 390 days', async () => {
        const { context, first, second, minted, record, purged, after } = await purgeAndReload(
          mode,
          'keep',
        );
        expect(first.errors).toEqual([]);
        expect(after.errors).toEqual([]);
        // The SDKs kept their ids from one page to the next, on their own.
        expect(second.ids).toEqual(first.ids);
        // The second page's Pantry call brought their cookies: stored, listed by name only.
        expect(record.status).toBe(200);
        expect(record.keptCookies).toEqual(SDKS.map((s) => minted[s]!.name).sort());
        for (const s of SDKS) expect(record.text).not.toContain(minted[s]!.value);
        // The purge took every script-visible cookie, and left Pantry's HttpOnly ones.
        expect(purged.filter((c) => !c.httpOnly)).toEqual([]);
        expect(purged.length).toBeGreaterThan(0);

        expect(after.ids).toEqual(first.ids);
        const restored = Object.fromEntries(
          SDKS.map((s) => {
            const set = setCookieOf(after.setCookies, minted[s]!.name);
            return [s, { set: set !== null, longLived: set !== null && set.maxAgeDays >= 390 }];
          }),
        );
        expect(restored).toEqual(
          Object.fromEntries(SDKS.map((s) => [s, { set: true, longLived: true }])),
        );
        // Not HttpOnly: the SDK reads it by script. On the site's registrable domain.
        const jar = sdkCookies(await context.cookies());
        for (const s of SDKS) {
          expect({ s, httpOnly: jar[s]?.httpOnly }).toEqual({ s, httpOnly: false });
          expect({ s, domain: jar[s]?.domain }).toEqual({ s, domain: minted[s]!.domain });
        }

        // One Pantry call a page: keep.js, and no identify after it. In document mode the
        // document's own response restored the cookies; the snippet's identify is the call.
        const call = mode === 'document' ? 'v1/identify' : 'v1/keep.js';
        expect([first, second, after].map((v) => v.calls.map((c) => c.split('?')[0]))).toEqual([
          [call],
          [call],
          [call],
        ]);
        await context.close();
      });

      it('without keeper.cookies, every SDK shows a new id after the purge', async () => {
        const { context, first, after } = await purgeAndReload(mode, 'off');
        const same = SDKS.filter((s) => after.ids[s] === first.ids[s]);
        expect(same).toEqual([]);
        await context.close();
      });

      it("keeper.derive: a fresh visitor's Segment, RudderStack and Treasure Data ids are Pantry's visitor id in their formats, and _ga a GA1.1.x.y", async () => {
        const context = await offlineContext();
        const page = url(mode, 'derive');
        const view = await open(context, page, { slowKeep: true });
        expect(view.visitorId).toMatch(/^[A-Za-z0-9_-]{10,}$/);
        // Segment and Treasure Data take any string: the visitor id itself; RudderStack the
        // same, in its encoding (RS_ENC_v3_, base64 JSON), which it decoded.
        expect({
          segment: view.ids.segment,
          rudderstack: view.ids.rudderstack,
          treasuredata: view.ids.treasuredata,
        }).toEqual({
          segment: view.visitorId,
          rudderstack: view.visitorId,
          treasuredata: view.visitorId,
        });

        const ga = (await context.cookies()).find((c) => c.name === '_ga');
        expect(ga?.value).toMatch(/^GA1\.1\.\d{1,10}\.\d{9,10}$/);
        // The client id's random part comes from the visitor id (the timestamp is the time).
        const randomPart = (v: string) => v.split('.')[2];
        const derived = derivedCookie({ adapter: 'ga' }, view.visitorId!, 0);
        expect(randomPart(ga!.value)).toBe(randomPart(derived!.value));
        expect(setCookieOf(view.setCookies, '_ga')?.maxAgeDays).toBeGreaterThanOrEqual(390);

        // Another fresh visitor: another visitor id, other ids.
        const other = await open(await offlineContext(), page);
        expect(other.visitorId).not.toBe(view.visitorId);
        expect(other.ids.segment).not.toBe(view.ids.segment);
        await other.page.context().close();
        await context.close();
      });
    });

    it('cross-site (LOCAL_STORAGE): keeper.cookies is accepted and keeps nothing: nothing stored, new ids after the purge', async () => {
      const { context, first, record, after } = await purgeAndReload('cross', 'keep');
      expect(first.errors).toEqual([]);
      expect(record.status).toBe(200);
      expect(record.keptCookies).toEqual([]);
      expect(SDKS.filter((s) => after.ids[s] === first.ids[s])).toEqual([]);
      // Pantry's answers never tried to set one (nor a derived _ga).
      const keeperSetCookies = [first, after].flatMap((v) =>
        v.setCookies.filter((l) => /^(_ga|ajs_|rl_|ph_|_sp_|_td)/.test(l)),
      );
      expect(keeperSetCookies).toEqual([]);
      await context.close();
    });

    it.each(['path', 'subdomain', 'document'] as const)(
      'revoking consent deletes the kept cookies in the browser, and none comes back (%s)',
      async (mode) => {
        const context = await offlineContext();
        const page = url(mode, 'keep');
        await (await open(context, page)).page.close();
        await sdkCookiesWritten(context);
        const kept = sdkCookies(await context.cookies());
        const view = await open(context, page);
        const deletions = view.page.waitForResponse((r) => r.url().includes('/v1/consent'));
        const answer = await consent(view.page, false);
        expect(answer.visitorId).toBeNull();
        // Deleted by the consent answer's Set-Cookie (Max-Age=0), on the SDKs' own domain.
        const lines = (await (await deletions).headersArray())
          .filter((h) => h.name.toLowerCase() === 'set-cookie')
          .flatMap((h) => h.value.split('\n'));
        expect(SDKS.map((s) => setCookieOf(lines, kept[s]!.name)?.maxAgeDays)).toEqual(
          SDKS.map(() => 0),
        );
        expect(Object.keys(sdkCookies(await context.cookies()))).toEqual([]);

        // After a purge, still revoked: Pantry restores none; granted again: a new visitor,
        // with none of the old ids back.
        await purgeScriptStorage(context);
        const later = await open(context, page);
        const restoring = SDKS.filter((s) => {
          const set = setCookieOf(later.setCookies, kept[s]!.name);
          return set !== null && set.maxAgeDays > 0;
        });
        expect(restoring).toEqual([]);
        await consent(later.page, true);
        const again = await open(context, page);
        expect(SDKS.filter((s) => again.ids[s] === view.ids[s])).toEqual([]);
        await context.close();
      },
    );
  },
  [NGINX],
);
