import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser } from 'playwright-core';
import { ConfigurationService } from '../../src/properties/configuration.service';
import {
  consent,
  copies,
  describeWithBrowser,
  launchBrowser,
  RunningPantry,
  servePage,
  shopPage,
  startPantry,
  startSite,
  visit,
} from './harness';

jest.setTimeout(60_000);

const common = ['identifier.cookieSecureFlag = false', 'consent.required = false'];

describeWithBrowser('the visitor snippet in Chromium', () => {
  let browser: Browser;
  let pantry: RunningPantry;
  let site: Awaited<ReturnType<typeof startSite>>;
  let snippetForDead = '';
  const pantryUrl = (host: string) => `http://${host}:${pantry.port}`;
  const siteUrl = (host: string, path: string) => `http://${host}:${site.port}${path}`;
  const snippet = (host: string, key: string) =>
    `${pantryUrl(host)}/unblu/visitor.js?x-unblu-apikey=${key}`;

  beforeAll(async () => {
    site = await startSite([
      servePage('/ls', () => shopPage(snippet('api.pantry.test', 'ls-key-0001'))),
      servePage('/lds', () => shopPage(snippet('api.pantry.test', 'lds-key-0001'))),
      servePage('/pd', () => shopPage(snippet('cookies.shop-three.test', 'pd-key-0001'))),
      servePage('/cs', () => shopPage(snippet('api.pantry.test', 'cs-key-0001'))),
      servePage('/unknown', () => shopPage(snippet('api.pantry.test', 'unknown-key-1'))),
      servePage('/unknown-inline', () =>
        // The README's embed code reading the error.
        shopPage(snippet('api.pantry.test', 'unknown-key-1')).replace(
          '</body>',
          `<script>window.addEventListener('DOMContentLoaded', async () => {
  try { await window.pantry.ready; } catch (e) { window.failure = { code: e.code, message: e.message }; }
});</script></body>`,
        ),
      ),
      servePage('/dead', () => shopPage('/dead/unblu/visitor.js?x-unblu-apikey=ls-key-0001')),
      (req, res) => {
        if (!req.url?.startsWith('/dead/unblu/visitor.js')) return false;
        res.writeHead(200, { 'content-type': 'text/javascript' }).end(snippetForDead);
        return true;
      },
      (req) => {
        // A dead Pantry: the connection drops without an answer.
        if (!req.url?.startsWith('/dead/unblu/v1/')) return false;
        req.socket.destroy();
        return true;
      },
    ]);
    const origin = (host: string) => `http://${host}:${site.port}`;
    pantry = await startPantry({
      accounts: {
        ls: [
          'account.apiKeys = ls-key-0001',
          `server.cors.allowedOrigins = ${origin('www.shop-one.test')}`,
          'server.cors.corsCookieMode = LOCAL_STORAGE',
          ...common,
        ].join('\n'),
        lds: [
          'account.apiKeys = lds-key-0001',
          `server.cors.allowedOrigins = http://*.shop-two.test:${site.port}`,
          'server.cors.corsCookieMode = LOCAL_DOMAIN_STORAGE',
          'identifier.cookieDomain = AUTO',
          ...common,
        ].join('\n'),
        pd: [
          'account.apiKeys = pd-key-0001',
          `server.cors.allowedOrigins = http://*.shop-three.test:${site.port}`,
          'server.cors.corsCookieMode = PRODUCT_DOMAIN',
          'identifier.cookieDomain = AUTO',
          ...common,
        ].join('\n'),
        cs: [
          'account.apiKeys = cs-key-0001',
          `server.cors.allowedOrigins = ${origin('www.shop-four.test')}`,
          'server.cors.corsCookieMode = LOCAL_STORAGE',
          'identifier.cookieSecureFlag = false',
          'consent.required = true',
        ].join('\n'),
      },
    });
    const res = await fetch(
      `${pantryUrl('127.0.0.1')}/unblu/visitor.js?x-unblu-apikey=ls-key-0001`,
    );
    snippetForDead = await res.text();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await pantry?.close();
    await site?.close();
  });

  describe('LOCAL_STORAGE, cross-site, third-party cookies blocked', () => {
    it('recognises the visitor after a reload, by its relayed copies, without calling again while fresh', async () => {
      const context = await browser.newContext();
      const first = await visit(context, siteUrl('www.shop-one.test', '/ls'));
      expect(first.answer).toMatchObject({
        account: 'ls',
        visitorId: expect.any(String),
        issued: expect.arrayContaining(['anonymous-person']),
      });
      expect(first.identifyCalls).toBe(1);
      expect(first.errors).toEqual([]);
      // The browser kept none of the server's cookies: they would be third-party.
      expect((await context.cookies(pantryUrl('api.pantry.test'))).length).toBe(0);
      const stored = await first.page.evaluate(() =>
        localStorage.getItem('x-unblu-virtual-cookie-storage'),
      );
      expect(JSON.parse(stored!).c.map((c: { name: string }) => c.name)).toContain(
        'x-unblu-ls-key-0001-anonymous-person',
      );

      const again = await visit(context, siteUrl('www.shop-one.test', '/ls'));
      expect(again.answer.visitorId).toBe(first.answer.visitorId);
      expect(again.identifyCalls).toBe(0);

      // Stale copies: one call, echoing them, and still the same visitor.
      await again.page.evaluate(() => {
        const s = JSON.parse(localStorage.getItem('x-unblu-virtual-cookie-storage')!);
        s.t = 0;
        localStorage.setItem('x-unblu-virtual-cookie-storage', JSON.stringify(s));
      });
      const stale = await visit(context, siteUrl('www.shop-one.test', '/ls'));
      expect(stale.identifyCalls).toBe(1);
      expect(stale.answer).toMatchObject({ visitorId: first.answer.visitorId, issued: [] });
      await context.close();
    });

    it('gives a fresh browser a new visitor', async () => {
      const a = await browser.newContext();
      const b = await browser.newContext();
      const one = await visit(a, siteUrl('www.shop-one.test', '/ls'));
      const two = await visit(b, siteUrl('www.shop-one.test', '/ls'));
      expect(two.answer.visitorId).not.toBe(one.answer.visitorId);
      await a.close();
      await b.close();
    });
  });

  describe('LOCAL_DOMAIN_STORAGE', () => {
    it('keeps the copies in a first-party cookie on the registrable domain, shared by subdomains', async () => {
      const context = await browser.newContext();
      const first = await visit(context, siteUrl('www.shop-two.test', '/lds'));
      expect(first.identifyCalls).toBe(1);
      const jar = await context.cookies(siteUrl('www.shop-two.test', '/'));
      const store = jar.find((c) => c.name === 'x-unblu-virtual-cookie-storage');
      const marker = jar.find((c) => c.name === 'x-unblu-virtual-cookie-storage-session-marker');
      expect(store).toMatchObject({ domain: '.shop-two.test', path: '/' });
      expect(store!.expires).toBeGreaterThan(Date.now() / 1000 + 300 * 86400);
      expect(marker).toMatchObject({ domain: '.shop-two.test', expires: -1 });

      const reload = await visit(context, siteUrl('www.shop-two.test', '/lds'));
      expect(reload).toMatchObject({
        identifyCalls: 0,
        answer: { visitorId: first.answer.visitorId },
      });
      const sibling = await visit(context, siteUrl('blog.shop-two.test', '/lds'));
      expect(sibling.answer.visitorId).toBe(first.answer.visitorId);

      const fresh = await browser.newContext();
      expect((await visit(fresh, siteUrl('www.shop-two.test', '/lds'))).answer.visitorId).not.toBe(
        first.answer.visitorId,
      );
      await fresh.close();
      await context.close();
    });

    it('drops copies of session cookies with the browser session: same visitor, new session', async () => {
      const context = await browser.newContext();
      const first = await visit(context, siteUrl('www.shop-two.test', '/lds'));
      // A browser restart removes session cookies, the marker among them.
      await context.clearCookies({ name: 'x-unblu-virtual-cookie-storage-session-marker' });
      const next = await visit(context, siteUrl('www.shop-two.test', '/lds'));
      expect(next.identifyCalls).toBe(1);
      expect(next.answer.visitorId).toBe(first.answer.visitorId);
      expect(next.answer.sessionId).not.toBe(first.answer.sessionId);
      await context.close();
    });
  });

  describe('PRODUCT_DOMAIN, server on a subdomain of the site, AUTO domain', () => {
    it('sets a real cookie on the registrable domain and recognises the visitor on another subdomain', async () => {
      const context = await browser.newContext();
      const first = await visit(context, siteUrl('www.shop-three.test', '/pd'));
      expect(first.identifyCalls).toBe(1);
      const jar = await context.cookies(pantryUrl('cookies.shop-three.test'));
      const person = jar.find((c) => c.name === 'x-unblu-pd-key-0001-anonymous-person');
      expect(person).toMatchObject({ domain: '.shop-three.test', httpOnly: true, sameSite: 'Lax' });
      // No cookie copies: only the last answer (ids, consent), for synchronous ids next time.
      const stored = await first.page.evaluate(() => ({ ...localStorage }));
      expect(Object.keys(stored)).toEqual(['x-unblu-identity']);
      expect(JSON.parse(stored['x-unblu-identity'])).toMatchObject({
        c: [],
        a: { visitorId: first.answer.visitorId },
      });
      expect(stored['x-unblu-identity']).not.toContain('.'); // no signed cookie value

      const other = await visit(context, siteUrl('shop.shop-three.test', '/pd'));
      expect(other.answer).toMatchObject({ visitorId: first.answer.visitorId, issued: [] });
      expect(other.identifyCalls).toBe(1);
      await context.close();
    });
  });

  describe('consent through window.pantry.consent', () => {
    it('issues the identity after a grant, keeps it on reload, and forgets it after a revocation', async () => {
      const context = await browser.newContext();
      const first = await visit(context, siteUrl('www.shop-four.test', '/cs'));
      expect(first.answer).toMatchObject({ consent: 'unset', visitorId: null });
      const granted = await consent(first.page, true);
      expect(granted).toMatchObject({ consent: 'granted', visitorId: expect.any(String) });

      const reload = await visit(context, siteUrl('www.shop-four.test', '/cs'));
      expect(reload.answer.visitorId).toBe(granted.visitorId);

      const revoked = await consent(reload.page, false);
      expect(revoked).toMatchObject({ consent: 'denied', visitorId: null });
      const names = (await copies(reload.page)).map((c) => c.name);
      expect(names).not.toContain('x-unblu-cs-key-0001-anonymous-person');
      expect(names).not.toContain('x-unblu-cs-key-0001-device');
      expect(names).toContain('x-unblu-cs-key-0001-consent');
      await context.close();
    });
  });

  describe('never breaks the host page', () => {
    it('with a dead server: no page error, the page runs, ready rejects quietly', async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(siteUrl('www.shop-one.test', '/dead'));
      const outcome = await page.evaluate(() =>
        (window as unknown as { pantry: { ready: Promise<unknown> } }).pantry.ready.then(
          () => 'resolved',
          () => 'rejected',
        ),
      );
      expect(outcome).toBe('rejected');
      expect(await page.evaluate(() => (window as unknown as { hostOk?: boolean }).hostOk)).toBe(
        true,
      );
      await page.waitForTimeout(200);
      expect(errors).toEqual([]);
      await context.close();
    });

    it('with an unknown API key: the page runs, window.pantry is there, ready rejects with unknown_api_key', async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      const errors: string[] = [];
      const warnings: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      const consoleErrors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'warning') warnings.push(m.text());
        if (m.type() === 'error' && !m.location().url.endsWith('/favicon.ico')) {
          consoleErrors.push(m.text());
        }
      });
      await page.goto(siteUrl('www.shop-one.test', '/unknown-inline'));
      await page.waitForFunction(() => (window as unknown as { hostOk?: boolean }).hostOk === true);
      const failure = await page.waitForFunction(
        () => (window as unknown as { failure?: unknown }).failure,
      );
      expect(await failure.jsonValue()).toEqual({
        code: 'unknown_api_key',
        message: 'Unknown API key.',
      });
      const functions = await page.evaluate(() =>
        Promise.all(
          (['consent', 'login', 'logout', 'bridge'] as const).map((f) =>
            (window as unknown as { pantry: Record<string, () => Promise<unknown>> }).pantry[
              f
            ]().then(
              () => 'resolved',
              (e: { code: string }) => e.code,
            ),
          ),
        ),
      );
      expect(functions).toEqual(Array(4).fill('unknown_api_key'));
      await page.waitForTimeout(200);
      expect(errors).toEqual([]);
      expect(warnings).toEqual(['Pantry: Unknown API key. (unknown_api_key)']);
      // A page that never awaits ready: no "Uncaught (in promise)", nothing blocked.
      await page.goto(siteUrl('www.shop-one.test', '/unknown'));
      await page.waitForFunction(() => (window as unknown as { hostOk?: boolean }).hostOk === true);
      await page.waitForTimeout(200);
      expect(consoleErrors).toEqual([]);
      expect(errors).toEqual([]);
      await context.close();
    });

    it('on a refused origin: ready rejects naming server.cors.allowedOrigins and the page’s origin', async () => {
      const context = await browser.newContext();
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      // The ls account allows www.shop-one.test only.
      await page.goto(siteUrl('www.refused-shop.test', '/ls'));
      const failure = await page.evaluate(() =>
        (window as unknown as { pantry: { ready: Promise<unknown> } }).pantry.ready.then(
          () => null,
          (e: { code: string; message: string }) => ({ code: e.code, message: e.message }),
        ),
      );
      expect(failure).toEqual({
        code: 'network_error',
        message: expect.stringContaining('server.cors.allowedOrigins'),
      });
      expect(failure!.message).toContain(
        `this page's origin ${siteUrl('www.refused-shop.test', '')}`,
      );
      expect(errors).toEqual([]);
      await context.close();
    });

    it('a readable error answer rejects with the server’s code and message', async () => {
      const context = await browser.newContext();
      const { page } = await visit(context, siteUrl('www.shop-one.test', '/ls'));
      const failure = await page.evaluate(() =>
        (window as unknown as { pantry: { login(a: string): Promise<unknown> } }).pantry
          .login('not-a-jwt')
          .then(
            () => null,
            (e: { code: string; message: string }) => ({ code: e.code, message: e.message }),
          ),
      );
      expect(failure).toEqual({
        code: 'login_disabled',
        message: expect.stringContaining('authentication.assertionSecret'),
      });
      await context.close();
    });
  });

  describe('the demo', () => {
    it('shows a working, non-blank page at / (screenshot)', async () => {
      pantry.ws.write(
        'accounts/demo.properties',
        [
          'account.apiKeys = demo-key-0001',
          `server.cors.allowedOrigins = http://localhost:${pantry.port}, http://127.0.0.1:${pantry.port}`,
          'server.cors.corsCookieMode = LOCAL_STORAGE',
          ...common,
        ].join('\n'),
      );
      expect(pantry.app.get(ConfigurationService).reload().ok).toBe(true);
      const context = await browser.newContext({ viewport: { width: 1200, height: 720 } });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`http://localhost:${pantry.port}/`);
      await page.waitForFunction(() =>
        /visitorId/.test(document.querySelector('#identity')?.textContent ?? ''),
      );
      const text = await page.textContent('#identity');
      expect(text).toContain('LOCAL_STORAGE');
      await page.waitForFunction(
        () => !/…/.test(document.querySelector('#native')?.textContent ?? '…'),
      );
      const shot = await page.screenshot();
      const blankPage = await context.newPage();
      const blank = await blankPage.screenshot();
      expect(shot.length).toBeGreaterThan(blank.length * 5);
      const out = join(__dirname, '..', '..', 'test-output');
      mkdirSync(out, { recursive: true });
      writeFileSync(join(out, 'demo.png'), shot);
      expect(errors).toEqual([]);
      await context.close();
    });
  });
});
