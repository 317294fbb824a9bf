import { Browser, BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { TEST_ADMIN_TOKEN } from '../helpers/test-app';
import {
  describeWithBrowser,
  launchBrowser,
  RunningPantry,
  servePage,
  startPantry,
  startSite,
} from './harness';

jest.setTimeout(60_000);

const AUTH = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

/*
 * The console's server side as a browser meets it (SPEC §17): signed in from the console's own
 * page, the session cookie is invisible to its scripts and works for same-origin calls with the
 * CSRF token; a page of another site cannot use it (SameSite=Strict keeps the cookie home, and a
 * form cannot add the header); the page's Content-Security-Policy stops an injected inline script.
 */
describeWithBrowser('the console session in Chromium', () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let pantry: RunningPantry;
  let site: Awaited<ReturnType<typeof startSite>>;
  const consoleUrl = () => `http://127.0.0.1:${pantry.port}`;
  const api = () => request(consoleUrl());

  beforeAll(async () => {
    pantry = await startPantry({ accounts: { shop: 'account.apiKeys = shop-key-0001' } });
    site = await startSite([
      // Another site's page posting a form at the console's API, as a CSRF attack would:
      // text/plain, so that the body reads as JSON.
      servePage(
        '/attack',
        () => `<!doctype html><html><head><meta charset="utf-8"><title>prize</title></head>
<body><form id="f" method="post" enctype="text/plain" action="${consoleUrl()}/admin/v1/accounts">
<input type="hidden" name='{"id":"csrf-attack","x":"' value='"}'></form>
<script>document.getElementById('f').submit();</script></body></html>`,
      ),
    ]);
    browser = await launchBrowser();
    context = await browser.newContext();
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await pantry?.close();
  });

  /** fetch() on the console's page, same origin: the browser sends its cookies itself. */
  const call = (
    method: string,
    path: string,
    headers: Record<string, string> = {},
    body?: unknown,
  ) =>
    page.evaluate(
      async ([m, p, h, b]) => {
        const res = await fetch(p, {
          method: m,
          headers: { ...h, ...(b === undefined ? {} : { 'content-type': 'application/json' }) },
          body: b === undefined ? undefined : JSON.stringify(b),
        });
        const text = await res.text();
        return {
          status: res.status,
          body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
        };
      },
      [method, path, headers, body] as const,
    );

  it('signs in from the console page; the cookie is not readable by script; changes need the CSRF token', async () => {
    const response = await page.goto(`${consoleUrl()}/admin/`);
    expect(response?.status()).toBe(200);
    expect(await page.title()).toBe('Pantry operator console');

    expect((await call('POST', '/admin/v1/session', {}, { token: TEST_ADMIN_TOKEN })).status).toBe(
      204,
    );
    // HttpOnly: the browser keeps it, no script sees it.
    const cookies = await context.cookies(`${consoleUrl()}/admin/`);
    expect(cookies.map((c) => [c.name, c.httpOnly, c.sameSite, c.path])).toEqual([
      ['pantry-console', true, 'Strict', '/admin'],
    ]);
    expect(await page.evaluate(() => document.cookie)).toBe('');

    const who = await call('GET', '/admin/v1/session');
    expect(who).toMatchObject({ status: 200, body: { role: 'admin' } });
    const csrf = who.body.csrfToken as string;
    const put = (headers: Record<string, string>) =>
      call('PUT', '/admin/v1/accounts/shop/properties/consent.cookieMaxAge', headers, {
        value: '86400',
      });
    expect(await put({})).toMatchObject({ status: 403, body: { error: 'csrf_token_invalid' } });
    expect(await put({ 'x-pantry-csrf': csrf })).toMatchObject({ status: 200 });
  });

  it('a form on another site posting at the API with the signed-in browser changes nothing', async () => {
    const attacker = await context.newPage();
    try {
      const posted = attacker.waitForResponse((r) => r.url().endsWith('/admin/v1/accounts'));
      await attacker.goto(`http://www.prize.test:${site.port}/attack`);
      const answer = await posted;
      // The cookie stayed home (SameSite=Strict): the API saw no session at all.
      expect(answer.status()).toBe(401);
      expect(answer.request().headers().cookie).toBeUndefined();
    } finally {
      await attacker.close();
    }
    const accounts = await api().get('/admin/v1/accounts').set(AUTH).expect(200);
    expect((accounts.body as Array<{ id: string }>).map((a) => a.id)).toEqual(['shop']);
    // The console's own session still holds.
    expect((await call('GET', '/admin/v1/session')).status).toBe(200);
  });

  it('the page’s CSP stops a script injected inline (as an XSS would)', async () => {
    await page.goto(`${consoleUrl()}/admin/`);
    const outcome = await page.evaluate(
      () =>
        new Promise<{ ran: boolean; violated: string | null }>((resolve) => {
          let violated: string | null = null;
          document.addEventListener('securitypolicyviolation', (e) => {
            violated = e.effectiveDirective;
          });
          const script = document.createElement('script');
          script.textContent = 'window.injected = true;';
          document.head.appendChild(script);
          setTimeout(
            () => resolve({ ran: (window as { injected?: boolean }).injected === true, violated }),
            200,
          );
        }),
    );
    expect(outcome).toEqual({ ran: false, violated: 'script-src-elem' });
  });

  it('signs out: the cookie is gone and the API refuses the session', async () => {
    const csrf = (await call('GET', '/admin/v1/session')).body.csrfToken as string;
    expect((await call('DELETE', '/admin/v1/session', { 'x-pantry-csrf': csrf })).status).toBe(204);
    expect(await context.cookies(`${consoleUrl()}/admin/`)).toEqual([]);
    expect(await call('GET', '/admin/v1/accounts')).toMatchObject({
      status: 401,
      body: { error: 'unauthorized' },
    });
  });
});
