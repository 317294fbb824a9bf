/**
 * The operator console (SPEC §17, issue 29) in Chromium against the real server: the issue's
 * Done-when flow with the admin token (each step also checked through the admin API with the
 * Bearer token, not only on screen), consoles signed in with account credentials (only their
 * account, only their role's actions, and the server refusing the rest whatever the page sends),
 * hostile text rendered as text, axe-core on every page, and screenshots at 390 and 1280 px
 * written to docs/console/.
 */
import { adminCall } from '../helpers/fleet';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, BrowserContext, Page } from 'playwright-core';
import { signAssertion } from '../helpers/assertions';
import { postgresWanted } from '../helpers/postgres';
import { TEST_ADMIN_TOKEN } from '../helpers/test-app';
import {
  describeWithBrowser,
  launchBrowser,
  RunningPantry,
  servePage,
  shopPage,
  startPantry,
  startSite,
} from './harness';

jest.setTimeout(180_000);

const ROOT = join(__dirname, '..', '..');
const SHOTS = join(ROOT, 'docs', 'console');
const AXE = readFileSync(join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

const ACCOUNT = 'console-shop';
/** Hostile text where the console shows data: it must arrive as these characters, not markup. */
const XSS_NAME = '<img src=x onerror="window.__pwned=1">Shop & Co';
const XSS_VALUE = '<b id="injected">https://evil.test</b>';

/**
 * The browser suites run once (SQLite); this flow also runs on PostgreSQL where the e2e suites do
 * (CI, PANTRY_TEST_POSTGRES=1), since sessions, overrides and erasure are rows in either. The
 * screenshots come from the first run.
 */
const DATABASES = postgresWanted() ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);

interface ApiAnswer<T = unknown> {
  status: number;
  body: T;
}

describeWithBrowser('the operator console in Chromium', () =>
  describe.each(DATABASES)('on %s', (database) => {
    let browser: Browser;
    let pantry: RunningPantry;
    let site: Awaited<ReturnType<typeof startSite>>;
    const consoleUrl = () => `http://127.0.0.1:${pantry.port}/admin/`;
    const siteOrigin = () => `http://www.console-shop.test:${site.port}`;
    let apiKey = '';
    const cspViolations: string[] = [];

    /** The admin API with the Bearer token: what the test checks each console step against. */
    async function api<T = unknown>(
      method: string,
      path: string,
      body?: unknown,
      token = TEST_ADMIN_TOKEN,
    ): Promise<ApiAnswer<T>> {
      const res = await adminCall(
        `http://127.0.0.1:${pantry.port}/admin/v1`,
        method,
        path,
        body,
        token,
      );
      return { status: res.status, body: res.body as T };
    }

    /** axe-core in the page: no serious or critical violation. */
    async function accessible(page: Page, where: string): Promise<void> {
      await page.evaluate(AXE);
      const violations = await page.evaluate(async () => {
        const axe = (window as unknown as { axe: { run(): Promise<{ violations: unknown[] }> } })
          .axe;
        const result = await axe.run();
        return (
          result.violations as Array<{ id: string; impact: string; nodes: { target: string[] }[] }>
        )
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map(
            (v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
          );
      });
      expect({ where, violations }).toEqual({ where, violations: [] });
    }

    /** A screenshot at 1280 and at 390 px wide (docs/console/<name>-<width>.png). */
    async function shoot(page: Page, name: string, fullPage = true): Promise<void> {
      const size = page.viewportSize() ?? { width: 1280, height: 800 };
      for (const width of [1280, 390]) {
        await page.setViewportSize({ width, height: 800 });
        if (database === DATABASES[0]) {
          await page.screenshot({ path: join(SHOTS, `${name}-${width}.png`), fullPage });
        }
        // Nothing wider than the screen: text wraps, wide tables scroll inside their own box.
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        expect({ name, width, overflow }).toEqual({ name, width, overflow: 0 });
      }
      await page.setViewportSize(size);
    }

    /** Every page is checked the same way: accessible, and pictured. */
    async function look(page: Page, name: string, fullPage = true): Promise<void> {
      await accessible(page, name);
      await shoot(page, name, fullPage);
    }

    async function openConsole(context: BrowserContext): Promise<Page> {
      const page = await context.newPage();
      page.on('console', (m) => {
        if (/Content Security Policy|Refused to/i.test(m.text())) cspViolations.push(m.text());
      });
      page.on('pageerror', (e) => cspViolations.push(`page error: ${e.message}`));
      await page.goto(consoleUrl());
      return page;
    }

    async function signIn(page: Page, token: string): Promise<void> {
      await page.getByLabel('Admin token or account credential').fill(token);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
    }

    /** The polite status line of the console after an action, once it says `text`. */
    const status = (page: Page, text: string | RegExp) =>
      page.getByRole('status').filter({ hasText: text }).first().waitFor();

    const alert = (page: Page) => page.getByRole('alert').first();

    beforeAll(async () => {
      mkdirSync(SHOTS, { recursive: true });
      site = await startSite([
        servePage('/', () =>
          shopPage(
            `http://api.pantry.test:${pantry.port}/unblu/visitor.js?x-unblu-apikey=${apiKey}`,
          ),
        ),
      ]);
      const before = process.env.PANTRY_TEST_DB;
      if (database === 'postgres') process.env.PANTRY_TEST_DB = 'postgres';
      try {
        pantry = await startPantry({
          app: ['identifier.cookieSecureFlag = false', 'consent.required = false'].join('\n'),
          accounts: {
            // A file account whose name (a property value from a file) is hostile text.
            'file-shop': ['account.apiKeys = file-shop-key-01', `account.name = ${XSS_NAME}`].join(
              '\n',
            ),
          },
        });
      } finally {
        if (before === undefined) delete process.env.PANTRY_TEST_DB;
        else process.env.PANTRY_TEST_DB = before;
      }
      expect(pantry.ws.postgres).toBe(database === 'postgres');
      browser = await launchBrowser();
    });

    afterAll(async () => {
      await browser?.close();
      await pantry?.close();
      await site?.close();
    });

    describe('with the admin token: the issue’s flow, each step checked through the API', () => {
      let context: BrowserContext;
      let page: Page;
      let visitorId = '';

      beforeAll(async () => {
        context = await browser.newContext({
          viewport: { width: 1280, height: 800 },
          permissions: ['clipboard-read', 'clipboard-write'],
        });
        page = await openConsole(context);
      });

      afterAll(async () => {
        await context?.close();
      });

      it('serves /admin/ under the strict CSP, with no inline script or style', async () => {
        const res = await fetch(consoleUrl());
        expect(res.status).toBe(200);
        const csp = res.headers.get('content-security-policy') ?? '';
        for (const directive of [
          "default-src 'self'",
          "script-src 'self'",
          "style-src 'self'",
          "frame-ancestors 'none'",
          "base-uri 'none'",
          "form-action 'self'",
        ]) {
          expect(csp).toContain(directive);
        }
        const html = await res.text();
        expect(html).not.toMatch(/<script>|<script(?![^>]*\bsrc=)[^>]*>|<style|style=/);
        for (const asset of ['app.js', 'app.css']) {
          const a = await fetch(`${consoleUrl()}${asset}`);
          expect({ asset, status: a.status }).toEqual({ asset, status: 200 });
          expect(a.headers.get('content-type')).toMatch(
            asset.endsWith('.js') ? /javascript/ : /css/,
          );
        }
      });

      it('signs in: a wrong token is refused with the server’s message, the right one gives an HttpOnly SameSite=Strict cookie and nothing in storage', async () => {
        await page.getByRole('heading', { name: 'Sign in to Pantry' }).waitFor();
        await look(page, 'sign-in');
        await page.getByLabel('Admin token or account credential').fill('not-the-token');
        await page.getByRole('button', { name: 'Sign in' }).click();
        await expect(alert(page).textContent()).resolves.toMatch(/unauthorized|invalid|token/i);
        await signIn(page, TEST_ADMIN_TOKEN);
        await page.getByText('Signed in with the admin token').waitFor();

        const cookies = await context.cookies(consoleUrl());
        const session = cookies.filter((c) => c.path === '/admin');
        expect(session).toHaveLength(1);
        expect(session[0]).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
        const storage = await page.evaluate(() => [
          JSON.stringify({ ...localStorage }),
          JSON.stringify({ ...sessionStorage }),
          document.cookie,
        ]);
        expect(storage).toEqual(['{}', '{}', '']);
      });

      it('creates an account (its hostile name shown as text) and the API has it', async () => {
        await page.getByRole('heading', { name: 'Accounts' }).waitFor();
        await page.getByLabel('Account id').fill(ACCOUNT);
        await page.getByLabel('Display name (optional)').fill(XSS_NAME);
        await page.getByRole('button', { name: 'Create account' }).click();
        await status(page, `Created ${ACCOUNT}`);
        const created = await api<{ name: string; apiKeys: { key: string }[] }>(
          'GET',
          `/accounts/${ACCOUNT}`,
        );
        expect(created.status).toBe(200);
        expect(created.body.name).toBe(XSS_NAME);
        apiKey = created.body.apiKeys[0].key;

        await page.getByRole('cell', { name: XSS_NAME }).first().waitFor();
        await page.getByLabel('Search by id or name').fill('console');
        await page.getByRole('link', { name: ACCOUNT }).waitFor();
        expect(await page.getByRole('link', { name: 'file-shop' }).count()).toBe(0);
        await page.getByLabel('Search by id or name').fill('');
        await expectNoInjection(page);
        await look(page, 'accounts');
      });

      it('refuses a wrong server.cors.allowedOrigins with the server’s own message, then sets it: source api, on screen and in the API', async () => {
        await page.getByRole('link', { name: ACCOUNT }).click();
        await page.getByRole('heading', { name: new RegExp(`Account .*${ACCOUNT}`) }).waitFor();
        const row = page.locator('tr[data-key="server.cors.allowedOrigins"]');
        await row.getByRole('button', { name: 'Edit server.cors.allowedOrigins' }).click();
        // Keyboard: Edit puts the focus in the value field.
        expect(await page.evaluate(() => document.activeElement?.id)).toBe(
          await page.getByLabel('Value', { exact: true }).getAttribute('id'),
        );
        await page.getByLabel('Value', { exact: true }).fill(XSS_VALUE);
        await page.getByRole('button', { name: 'Save override' }).click();
        const refusal = await api<{ message: string }>(
          'PUT',
          `/accounts/${ACCOUNT}/properties/server.cors.allowedOrigins`,
          { value: XSS_VALUE },
        );
        expect(refusal.status).toBe(400);
        await alert(page).getByText(refusal.body.message, { exact: false }).waitFor();
        await expectNoInjection(page);

        await page.getByLabel('Value', { exact: true }).fill(siteOrigin());
        await page.keyboard.press('Enter');
        await status(page, 'Saved: server.cors.allowedOrigins');
        await row.locator('td.source', { hasText: 'api' }).waitFor();
        expect(await row.locator('code.value').textContent()).toBe(siteOrigin());
        const props = await api<{ key: string; value: string; source: string }[]>(
          'GET',
          `/accounts/${ACCOUNT}/properties`,
        );
        expect(props.body.find((p) => p.key === 'server.cors.allowedOrigins')).toMatchObject({
          value: siteOrigin(),
          source: 'api',
        });
        // The 400-day note beside a lifetime browsers cap.
        await page.getByLabel('Filter by key').fill('MaxAge');
        await look(page, 'account-properties');
        await page.getByLabel('Filter by key').fill('');
      });

      it('shows keeper and consent settings, and removes an override', async () => {
        await page.getByRole('link', { name: 'Keeper and consent' }).click();
        // The properties page (all keys) is replaced: wait for the new page, not a row both have.
        await page.getByRole('heading', { name: 'Keeper and consent settings' }).waitFor();
        await page.locator('tr[data-key="keeper.cookies"]').waitFor();
        await page
          .locator('tr[data-key="server.cors.allowedOrigins"]')
          .waitFor({ state: 'detached', timeout: 5_000 });
        expect(await page.locator('tr[data-key="server.cors.allowedOrigins"]').count()).toBe(0);
        await page.getByLabel('Property key').fill('consent.honorGlobalPrivacyControl');
        await page.getByLabel('Value', { exact: true }).fill('false');
        await page.getByRole('button', { name: 'Save override' }).click();
        await status(page, 'Saved: consent.honorGlobalPrivacyControl');
        await look(page, 'account-keeper-consent');
        await page
          .getByRole('button', { name: 'Remove the override of consent.honorGlobalPrivacyControl' })
          .click();
        await status(page, 'Removed the override of consent.honorGlobalPrivacyControl');
        const props = await api<{ key: string; source: string }[]>(
          'GET',
          `/accounts/${ACCOUNT}/properties`,
        );
        expect(
          props.body.find((p) => p.key === 'consent.honorGlobalPrivacyControl')?.source,
        ).not.toBe('api');
      });

      it('creates an API key and copies the embed code with it', async () => {
        await page.getByRole('link', { name: 'API keys and embed code' }).click();
        await page.getByLabel('New key (optional)').fill('console-key-0002');
        await page.getByRole('button', { name: 'Create API key' }).click();
        await status(page, 'Created console-key-0002');
        const keys = await api<{ key: string }[]>('GET', `/accounts/${ACCOUNT}/apikeys`);
        expect(keys.body.map((k) => k.key)).toContain('console-key-0002');

        await page.getByLabel('Deployment mode').selectOption('subdomain');
        await page.getByLabel('API key', { exact: true }).selectOption('console-key-0002');
        await page.getByLabel('Where pages reach Pantry').fill('https://cookies.shop.com');
        await page.getByRole('button', { name: 'Copy embed code' }).click();
        await status(page, 'Copied the embed code.');
        const copied = await page.evaluate(() => navigator.clipboard.readText());
        expect(copied).toBe(
          '<script src="https://cookies.shop.com/unblu/visitor.js?x-unblu-apikey=console-key-0002" defer></script>',
        );
        await page.getByLabel('Deployment mode').selectOption('document');
        expect(await page.locator('pre.code').textContent()).toBe(
          '<script src="/unblu/visitor.js?x-unblu-apikey=console-key-0002" defer></script>',
        );
        await look(page, 'account-keys');
      });

      it('revokes a key: it stops working for the visitor API', async () => {
        await page.getByLabel('New key (optional)').fill('console-key-0003');
        await page.getByRole('button', { name: 'Create API key' }).click();
        await status(page, 'Created console-key-0003');
        await page.getByRole('button', { name: 'Revoke console-key-0003' }).click();
        await status(page, 'Revoked console-key-0003');
        const keys = await api<{ key: string }[]>('GET', `/accounts/${ACCOUNT}/apikeys`);
        expect(keys.body.map((k) => k.key)).not.toContain('console-key-0003');
      });

      it('runs a diagnosis and shows the verdict and reasons the API gives', async () => {
        await page.getByRole('link', { name: 'Diagnosis' }).click();
        const target = `http://localhost:${site.port}/`;
        await page.getByLabel('Page URL').fill(target);
        await page.getByRole('button', { name: 'Diagnose' }).click();
        const expected = await api<{
          verdict: string;
          reasons: { code: string; message: string }[];
        }>('GET', `/accounts/${ACCOUNT}/diagnostics?page=${encodeURIComponent(target)}`);
        expect(expected.status).toBe(200);
        const verdict = page.locator(`.verdict-${expected.body.verdict}`);
        await verdict.waitFor();
        expect(expected.body.reasons.length).toBeGreaterThan(0);
        for (const reason of expected.body.reasons) {
          await verdict.locator('.reasons li', { hasText: reason.code }).waitFor();
          expect(await verdict.locator('.reasons').textContent()).toContain(reason.message);
        }
        await look(page, 'account-diagnosis');
      });

      it('looks up a visitor the snippet made, erases it after a typed confirmation, and the API no longer has it', async () => {
        const shop = await browser.newContext();
        const shopTab = await shop.newPage();
        await shopTab.goto(`${siteOrigin()}/`);
        const answer = await shopTab.evaluate(
          () =>
            (window as unknown as { pantry: { ready: Promise<{ visitorId: string }> } }).pantry
              .ready,
        );
        visitorId = answer.visitorId;
        await shop.close();
        await waitFor(
          async () =>
            (await api('GET', `/accounts/${ACCOUNT}/visitors/${visitorId}`)).status === 200,
        );

        await page.getByRole('link', { name: 'Visitors and customers' }).click();
        await page.getByLabel('Visitor id').fill(visitorId);
        await page.getByRole('button', { name: 'Look up visitor' }).click();
        const record = page.getByLabel("The visitor's record");
        await record.getByText(visitorId, { exact: true }).waitFor();
        const erase = page.getByRole('button', { name: 'Erase visitor' });
        expect(await erase.isDisabled()).toBe(true);
        await page
          .getByLabel('Type the visitor id to confirm the erasure')
          .fill(visitorId.slice(1));
        expect(await erase.isDisabled()).toBe(true);
        await look(page, 'account-visitor');
        await page.getByLabel('Type the visitor id to confirm the erasure').fill(visitorId);
        await erase.click();
        await status(page, `Erased visitor ${visitorId}`);
        expect((await api('GET', `/accounts/${ACCOUNT}/visitors/${visitorId}`)).status).toBe(404);
      });

      it('looks up a customer the snippet logged in, with its visitor, and erases it after a typed confirmation', async () => {
        const secret = 'console-assertion-secret-0123456789abcdef';
        const set = await api(
          'PUT',
          `/accounts/${ACCOUNT}/properties/authentication.assertionSecret`,
          {
            value: secret,
          },
        );
        expect(set.status).toBe(200);
        const shop = await browser.newContext();
        const shopTab = await shop.newPage();
        await shopTab.goto(`${siteOrigin()}/`);
        const assertion = await signAssertion(secret, ACCOUNT, 'customer-42');
        const loggedIn = await shopTab.evaluate(
          (a) =>
            (
              window as unknown as { pantry: { login(a: string): Promise<{ visitorId: string }> } }
            ).pantry.login(a),
          assertion,
        );
        await shop.close();
        await waitFor(
          async () =>
            (await api('GET', `/accounts/${ACCOUNT}/customers/customer-42`)).status === 200,
        );

        await page.getByLabel('Customer id').fill('customer-42');
        await page.getByRole('button', { name: 'Look up customer' }).click();
        const record = page.getByLabel("The customer's record");
        await record.getByText(loggedIn.visitorId, { exact: false }).waitFor();
        const erase = page.getByRole('button', { name: 'Erase customer' });
        expect(await erase.isDisabled()).toBe(true);
        await page.getByLabel('Type the customer id to confirm the erasure').fill('customer-42');
        await erase.click();
        await status(page, 'Erased customer customer-42');
        const after = await api<{ visitors: unknown[] }>(
          'GET',
          `/accounts/${ACCOUNT}/customers/customer-42`,
        );
        expect(after.status === 404 || after.body.visitors.length === 0).toBe(true);
        expect(
          (await api('GET', `/accounts/${ACCOUNT}/visitors/${loggedIn.visitorId}`)).status,
        ).toBe(404);
      });

      it('creates a credential (its token shown once, and it signs in) and revokes it', async () => {
        await page.getByRole('link', { name: 'Credentials' }).click();
        await page.getByLabel('Name', { exact: true }).fill('Console reader');
        await page.getByLabel('Role', { exact: true }).selectOption('reader');
        // Pictured before the token exists: no token-like string in the docs.
        await look(page, 'account-credentials');
        await page.getByRole('button', { name: 'Create credential' }).click();
        const token = (await page.locator('.secret pre.code').textContent()) ?? '';
        expect(token).toMatch(/^pty_/);
        const listed = await api<{ id: string; name: string; role: string }[]>(
          'GET',
          `/accounts/${ACCOUNT}/credentials`,
        );
        expect(listed.body.find((c) => c.name === 'Console reader')?.role).toBe('reader');
        expect((await api('GET', `/accounts/${ACCOUNT}`, undefined, token)).status).toBe(200);
        await accessible(page, 'account-credentials, the token shown');
        await page.getByRole('button', { name: 'Revoke Console reader' }).click();
        await status(page, 'Revoked Console reader');
        expect((await api('GET', `/accounts/${ACCOUNT}`, undefined, token)).status).toBe(401);
      });

      it('shows all of it in the audit log, filtered by account and paged, as the API lists it', async () => {
        await page.getByRole('link', { name: 'Audit log' }).first().click();
        await page.getByRole('heading', { name: 'Audit log' }).first().waitFor();
        await page.getByLabel('Account', { exact: true }).fill(ACCOUNT);
        await page.getByRole('button', { name: 'Apply filter' }).click();
        await page.getByText(`of ${ACCOUNT}, newest first`).waitFor();
        const entries = await api<{ action: string; actor: string }[]>(
          'GET',
          `/audit?accountId=${ACCOUNT}&limit=25`,
        );
        const actions = entries.body.map((e) => e.action);
        for (const action of [
          'account.create',
          'property.set',
          'property.remove',
          'apikey.create',
          'apikey.revoke',
          'visitor.erase',
          'customer.erase',
          'credential.create',
          'credential.revoke',
        ]) {
          expect(actions).toContain(action);
          await page.locator(`tr[data-action="${action}"]`).first().waitFor();
        }
        expect(await page.locator('tbody tr').count()).toBe(entries.body.length);
        // The hostile name in account.create's details is text.
        await page
          .locator('tr[data-action="account.create"] td.details', { hasText: XSS_NAME })
          .waitFor();
        await expectNoInjection(page);
        await look(page, 'audit');

        await page.getByLabel('Entries per page').selectOption('25');
        const older = page.getByRole('button', { name: 'Older entries' });
        expect(await older.isDisabled()).toBe(entries.body.length < 25);
      });

      it('reloads the configuration and shows the status', async () => {
        await page.getByRole('link', { name: 'Reload' }).click();
        await page.getByRole('button', { name: 'Reload configuration' }).click();
        await status(page, /Reloaded: 1 file accounts/);
        // A broken file: every problem listed, as the API gives them; the last good config stays.
        const good = readFileSync(
          join(pantry.ws.configDir, 'accounts', 'file-shop.properties'),
          'utf8',
        );
        pantry.ws.write(
          'accounts/file-shop.properties',
          `${good}\nidentifier.cookieSameSite = Laxx\nconsent.required = maybe\n`,
        );
        await page.getByRole('button', { name: 'Reload configuration' }).click();
        const refused = await api<{ problems: string[] }>('POST', '/config/reload', {});
        expect(refused.status).toBe(400);
        expect(refused.body.problems.length).toBe(2);
        for (const problem of refused.body.problems) {
          await alert(page).locator('li', { hasText: problem }).waitFor();
        }
        await look(page, 'reload');
        pantry.ws.write('accounts/file-shop.properties', good);
        expect((await api('POST', '/config/reload', {})).status).toBe(200);
        await page.getByRole('link', { name: 'Status' }).click();
        await page.getByText('ready', { exact: true }).waitFor();
        const s = await api<{ version: string }>('GET', '/status');
        await page.getByText(s.body.version, { exact: true }).waitFor();
        await page.getByRole('table', { name: /Minute by minute/ }).waitFor();
        await look(page, 'status');
      });

      it('signs out: the page is back at sign-in and the old session cookie is refused', async () => {
        const cookie = (await context.cookies(consoleUrl())).find((c) => c.path === '/admin')!;
        await page.getByRole('button', { name: 'Sign out' }).click();
        await page.getByRole('heading', { name: 'Sign in to Pantry' }).waitFor();
        const replay = await fetch(`http://127.0.0.1:${pantry.port}/admin/v1/accounts`, {
          headers: { cookie: `${cookie.name}=${cookie.value}` },
        });
        expect(replay.status).toBe(401);
        const fromPage = await page.evaluate(() =>
          fetch('/admin/v1/accounts', { credentials: 'same-origin' }).then((r) => r.status),
        );
        expect(fromPage).toBe(401);
      });

      it('a session ended elsewhere brings the sign-in page back with the server’s reason', async () => {
        await signIn(page, TEST_ADMIN_TOKEN);
        const cookie = (await context.cookies(consoleUrl())).find((c) => c.path === '/admin')!;
        const session = await fetch(`http://127.0.0.1:${pantry.port}/admin/v1/session`, {
          headers: { cookie: `${cookie.name}=${cookie.value}` },
        });
        const { csrfToken } = (await session.json()) as { csrfToken: string };
        const ended = await fetch(`http://127.0.0.1:${pantry.port}/admin/v1/session`, {
          method: 'DELETE',
          headers: { cookie: `${cookie.name}=${cookie.value}`, 'x-pantry-csrf': csrfToken },
        });
        expect(ended.status).toBe(204);
        // The next call the page makes meets the ended session: another page, which asks the
        // API (a link to the page already shown would change nothing and ask nothing).
        await page.evaluate(() => {
          location.hash = location.hash === '#/audit' ? '#/accounts' : '#/audit';
        });
        await page.getByRole('heading', { name: 'Sign in to Pantry' }).waitFor();
        await page
          .getByRole('status')
          .filter({ hasText: /^Signed out: / })
          .waitFor();
      });

      it('is usable by keyboard: a skip link first, then the navigation; each page focuses its heading', async () => {
        await signIn(page, TEST_ADMIN_TOKEN);
        await page.goto(`${consoleUrl()}#/accounts`);
        await page.reload();
        await page.getByRole('heading', { name: 'Accounts' }).waitFor();
        const focused = () =>
          page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
        // The heading takes the focus once the page has rendered (an effect, after paint).
        await page.waitForFunction(() => document.activeElement?.tagName === 'H1');
        expect(await focused()).toBe('Accounts');
        // Forward from the heading: the page's first field.
        await page.keyboard.press('Tab');
        expect(await page.evaluate(() => document.activeElement?.id)).toBe(
          await page.getByLabel('Search by id or name').getAttribute('id'),
        );
        // Backward: the header, in reading order, and the skip link first of all.
        const backwards: string[] = [];
        for (let i = 0; i < 6; i++) {
          await page.keyboard.press('Shift+Tab');
          backwards.push(await focused());
        }
        expect(backwards).toEqual([
          'Sign out',
          'Status',
          'Reload',
          'Audit log',
          'Accounts',
          'Skip to content',
        ]);
        await page.keyboard.press('Enter');
        expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
        // A link followed by keyboard: the new page's heading has the focus.
        await page
          .getByRole('navigation', { name: 'Console' })
          .getByRole('link', { name: 'Audit log' })
          .focus();
        await page.keyboard.press('Enter');
        await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
        await page.waitForFunction(() => document.activeElement?.tagName === 'H1');
        expect(await focused()).toBe('Audit log');
      });

      it('showed the file account’s hostile name as text in its properties', async () => {
        await page.goto(`${consoleUrl()}#/accounts/file-shop/properties`);
        const row = page.locator('tr[data-key="account.name"]');
        expect(await row.locator('code.value').textContent()).toBe(XSS_NAME);
        await expectNoInjection(page);
      });

      it('ran under the CSP without a violation or a page error', () => {
        expect(cspViolations).toEqual([]);
      });
    });

    describe('with an account credential: only its account, only its role', () => {
      const credential = async (role: string) => {
        const made = await api<{ token: string }>('POST', `/accounts/${ACCOUNT}/credentials`, {
          name: `console ${role}`,
          role,
        });
        expect(made.status).toBe(201);
        return made.body.token;
      };

      const signedIn = async (role: string) => {
        const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
        const page = await openConsole(context);
        await signIn(page, await credential(role));
        await page
          .getByText(new RegExp(`Signed in as console ${role}, ${role} of ${ACCOUNT}`))
          .waitFor();
        return { context, page };
      };

      /** What the page's own script could send with the session: the server decides. */
      const fromPage = (page: Page, method: string, path: string, body?: unknown) =>
        page.evaluate(
          async ({ method, path, body }) => {
            const session = (await (await fetch('/admin/v1/session')).json()) as {
              csrfToken: string;
            };
            const res = await fetch(`/admin/v1${path}`, {
              method,
              headers: {
                'x-pantry-csrf': session.csrfToken,
                ...(body === undefined ? {} : { 'content-type': 'application/json' }),
              },
              body: body === undefined ? undefined : JSON.stringify(body),
            });
            return res.status;
          },
          { method, path, body },
        );

      const tabs = (page: Page) =>
        page.getByRole('navigation', { name: 'Account' }).getByRole('link').allTextContents();
      /** The account's tabs an editor sees; a reader sees these and the privacy officer's. */
      const CONFIGURATION_TABS = [
        'Properties',
        'Keeper and consent',
        'API keys and embed code',
        'Diagnosis',
      ];
      const PRIVACY_TABS = ['Visitors and customers', 'Audit log'];

      it('an editor: the account’s properties, keys and diagnosis; no erasure, no other account, no server pages', async () => {
        const { context, page } = await signedIn('editor');
        await page.locator('tr[data-key="server.cors.allowedOrigins"]').waitFor();
        expect(await tabs(page)).toEqual(CONFIGURATION_TABS);
        const nav = await page.getByRole('navigation', { name: 'Console' }).textContent();
        expect(nav).not.toMatch(/Accounts|Audit|Reload|Status/);
        expect(await page.getByRole('button', { name: /Erase/ }).count()).toBe(0);
        await look(page, 'editor', false);
        // Another account in the address shows this one.
        await page.goto(`${consoleUrl()}#/accounts/file-shop/properties`);
        await page.getByRole('heading', { name: new RegExp(ACCOUNT) }).waitFor();
        // The server refuses what the page does not offer.
        expect(await fromPage(page, 'DELETE', `/accounts/${ACCOUNT}/visitors/v-1`)).toBe(403);
        expect(await fromPage(page, 'GET', '/accounts')).toBe(403);
        expect(await fromPage(page, 'GET', '/accounts/file-shop/properties')).toBe(404);
        expect(
          await fromPage(page, 'PUT', `/accounts/${ACCOUNT}/properties/consent.required`, {
            value: 'true',
          }),
        ).toBe(200);
        await context.close();
      });

      it('a reader: everything of the account, and no button that changes it', async () => {
        const { context, page } = await signedIn('reader');
        await page.locator('tr[data-key="server.cors.allowedOrigins"]').waitFor();
        expect(await tabs(page)).toEqual([...CONFIGURATION_TABS, ...PRIVACY_TABS, 'Credentials']);
        for (const tab of [
          'Properties',
          'API keys and embed code',
          'Visitors and customers',
          'Credentials',
        ]) {
          await page.getByRole('link', { name: tab }).click();
          await page
            .getByRole('link', { name: tab, exact: true })
            .and(page.locator('[aria-current="page"]'))
            .waitFor();
          const changing = page.getByRole('button', {
            name: /Save|Remove|Edit|Create|Revoke|Erase/,
          });
          expect({ tab, buttons: await changing.count() }).toEqual({ tab, buttons: 0 });
        }
        expect(await fromPage(page, 'POST', `/accounts/${ACCOUNT}/apikeys`, {})).toBe(403);
        await context.close();
      });

      it('a privacy officer: visitors, customers and the account’s audit; no properties', async () => {
        const { context, page } = await signedIn('privacy');
        expect(await tabs(page)).toEqual(PRIVACY_TABS);
        await page.getByLabel('Visitor id').waitFor();
        expect(await page.locator('tr[data-key]').count()).toBe(0);
        // A customer nobody logged in as: the server's own answer, as the API gives it.
        await page.getByLabel('Customer id').fill('customer-nobody');
        await page.getByRole('button', { name: 'Look up customer' }).click();
        const missing = await api<{ message: string }>(
          'GET',
          `/accounts/${ACCOUNT}/customers/customer-nobody`,
        );
        expect(missing.status).toBe(404);
        await alert(page).getByText(missing.body.message).waitFor();
        expect(await page.getByRole('button', { name: 'Erase customer' }).count()).toBe(0);
        await page.getByRole('link', { name: 'Audit log' }).click();
        await page.locator('tr[data-action="visitor.erase"]').first().waitFor();
        await look(page, 'privacy');
        expect(await fromPage(page, 'GET', `/accounts/${ACCOUNT}/properties`)).toBe(403);
        expect(
          await fromPage(page, 'PUT', `/accounts/${ACCOUNT}/properties/consent.required`, {
            value: 'false',
          }),
        ).toBe(403);
        expect(await fromPage(page, 'POST', '/config/reload', {})).toBe(403);
        await context.close();
      });
    });
  }),
);

async function expectNoInjection(page: Page): Promise<void> {
  const found = await page.evaluate(() => ({
    img: document.querySelectorAll('img').length,
    injected: document.getElementById('injected') !== null,
    pwned: (window as unknown as { __pwned?: number }).__pwned ?? null,
  }));
  expect(found).toEqual({ img: 0, injected: false, pwned: null });
}

async function waitFor(condition: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}
