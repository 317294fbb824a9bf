import { SignJWT } from 'jose';
import { randomUUID } from 'node:crypto';
import { Browser, Page } from 'playwright-core';
import {
  Answer,
  describeWithBrowser,
  launchBrowser,
  RunningPantry,
  startPantry,
  startSite,
} from './harness';

jest.setTimeout(60_000);

const KEY = 'login-key-001';
const SECRET = 'login-assertion-secret-0123456789-abcd';
const CUSTOMER = 'customer-4711';

type Pantry = {
  ready: Promise<Answer>;
  login(assertion: string): Promise<Answer>;
  logout(): Promise<Answer>;
};

describeWithBrowser('known visitors in Chromium', () => {
  let browser: Browser;
  let pantry: RunningPantry;
  let site: Awaited<ReturnType<typeof startSite>>;

  beforeAll(async () => {
    site = await startSite([
      (req, res) => {
        const path = req.url?.split('?')[0];
        if (path === '/assertion') {
          // The site's backend, after its own login: a short-lived, single-use assertion.
          const now = Math.floor(Date.now() / 1000);
          void new SignJWT({
            sub: CUSTOMER,
            aud: 'shop',
            iat: now,
            exp: now + 60,
            jti: randomUUID(),
          })
            .setProtectedHeader({ alg: 'HS256' })
            .sign(new TextEncoder().encode(SECRET))
            .then((jwt) => res.writeHead(200, { 'content-type': 'text/plain' }).end(jwt));
          return true;
        }
        if (path !== '/account') return false;
        const snippet = `http://cookies.shop-five.test:${pantry.port}/unblu/visitor.js?x-unblu-apikey=${KEY}`;
        res
          .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
          .end(`<!doctype html><html><body><script src="${snippet}" defer></script></body></html>`);
        return true;
      },
    ]);
    pantry = await startPantry({
      accounts: {
        shop: [
          `account.apiKeys = ${KEY}`,
          `server.cors.allowedOrigins = http://www.shop-five.test:${site.port}`,
          'identifier.cookieDomain = AUTO',
          'identifier.cookieSecureFlag = false',
          'consent.required = false',
          `authentication.assertionSecret = ${SECRET}`,
        ].join('\n'),
      },
    });
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await pantry?.close();
    await site?.close();
  });

  const ready = (page: Page) =>
    page.evaluate(() => (window as unknown as { pantry: Pantry }).pantry.ready);

  it('logs in with a backend assertion, stays logged in after a reload, keeps the session out of script, and logout rotates the visitor', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const url = `http://www.shop-five.test:${site.port}/account`;
    await page.goto(url);
    const anonymous = await ready(page);
    expect(anonymous.visitorId).toBeTruthy();

    const loggedIn = await page.evaluate(async () => {
      const assertion = await (await fetch('/assertion')).text();
      return (window as unknown as { pantry: Pantry }).pantry.login(assertion);
    });
    expect(loggedIn).toMatchObject({ customerId: CUSTOMER, visitorId: anonymous.visitorId });

    await page.reload();
    expect(await ready(page)).toMatchObject({
      customerId: CUSTOMER,
      visitorId: anonymous.visitorId,
    });

    const jar = await context.cookies(`http://cookies.shop-five.test:${pantry.port}`);
    const authsession = jar.find((c) => c.name === `x-unblu-${KEY}-authsession`);
    expect(authsession).toMatchObject({ httpOnly: true, domain: '.shop-five.test' });
    expect(authsession!.value).not.toContain(CUSTOMER);
    expect(Buffer.from(authsession!.value, 'base64url').toString('latin1')).not.toContain('4711');
    expect(await page.evaluate(() => document.cookie)).not.toContain('authsession');

    const out = await page.evaluate(() =>
      (window as unknown as { pantry: Pantry }).pantry.logout(),
    );
    expect(out.customerId).toBeUndefined();
    expect(out.visitorId).not.toBe(anonymous.visitorId);
    await page.reload();
    const after = await ready(page);
    expect(after.customerId).toBeUndefined();
    expect(after.visitorId).toBe(out.visitorId);
    await context.close();
  });
});
