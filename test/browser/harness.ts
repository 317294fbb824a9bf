import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { existsSync } from 'node:fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { Browser, BrowserContext, chromium, Cookie, Page } from 'playwright-core';
import type { IdentifyResult } from '../../src/vocabulary/visitor-answers';
import { ConfigFiles, createWorkspace, startApp, TestWorkspace } from '../helpers/test-app';

export const CHROMIUM = process.env.PANTRY_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Browser tests need Debian's Chromium (and some, nginx: `also`). Without them they are
 * skipped on a developer machine and fail under CI=true, where .ci/run installs them.
 */
export function describeWithBrowser(name: string, fn: () => void, also: string[] = []): void {
  const missing = [CHROMIUM, ...also].filter((path) => !existsSync(path));
  if (missing.length === 0) return describe(name, fn);
  if (process.env.CI === 'true') {
    return describe(name, () => {
      it('needs its programs', () => {
        throw new Error(
          `${missing.join(', ')} missing: .ci/run installs them with apt-get (chromium, nginx)`,
        );
      });
    });
  }
  return describe.skip(`${name} (missing ${missing.join(', ')}; apt-get install them)`, fn);
}

export async function launchBrowser(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // Real domain names on loopback: *.test resolves to 127.0.0.1.
      '--host-resolver-rules=MAP *.test 127.0.0.1',
      // Block third-party cookies, as browsers now do.
      '--test-third-party-cookie-phaseout',
      ...extraArgs,
    ],
  });
}

/** Pantry, listening on a loopback port, with its workspace. */
export interface RunningPantry {
  readonly app: NestFastifyApplication;
  readonly port: number;
  readonly ws: TestWorkspace;
  close(): Promise<void>;
}

export async function startPantry(files: ConfigFiles): Promise<RunningPantry> {
  const ws = createWorkspace(files);
  const app = await startApp(ws);
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  return {
    app,
    port,
    ws,
    close: async () => {
      await app.close();
      ws.remove();
    },
  };
}

export type Route = (req: IncomingMessage, res: ServerResponse) => boolean;

/** A plain site (the customer's pages) on its own loopback port; any *.test host reaches it. */
export async function startSite(
  routes: Route[],
): Promise<{ port: number; server: Server; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    for (const route of routes) if (route(req, res)) return;
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    server,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A shop page embedding the snippet; its own script marks that it ran after the snippet. */
export function shopPage(snippetSrc: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>shop</title></head>
<body><h1>Shop</h1>
<script src="${snippetSrc}" defer></script>
<script>window.addEventListener('DOMContentLoaded', function () { window.hostOk = true; });</script>
</body></html>`;
}

export function servePage(path: string, html: (req: IncomingMessage) => string): Route {
  return (req, res) => {
    if (req.url?.split('?')[0] !== path) return false;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html(req));
    return true;
  };
}

/** Counts identify calls and collects page errors of a page. */
export function watch(page: Page): { identifyCalls: () => number; errors: string[] } {
  let calls = 0;
  const errors: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().includes('/v1/identify')) calls++;
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return { identifyCalls: () => calls, errors };
}

export type Answer = IdentifyResult;

type PantryWindow = Window & {
  pantry: {
    ready: Promise<Answer>;
    consent(granted: boolean): Promise<Answer>;
    copies(): unknown[];
  };
  hostOk?: boolean;
};

/** Opens a page and waits for window.pantry.ready. */
export async function visit(
  context: BrowserContext,
  url: string,
): Promise<{ page: Page; answer: Answer; identifyCalls: number; errors: string[] }> {
  const page = await context.newPage();
  const w = watch(page);
  await page.goto(url);
  const answer = await page.evaluate(() => (window as unknown as PantryWindow).pantry.ready);
  return { page, answer, identifyCalls: w.identifyCalls(), errors: w.errors };
}

export async function consent(page: Page, granted: boolean): Promise<Answer> {
  return page.evaluate((g) => (window as unknown as PantryWindow).pantry.consent(g), granted);
}

export function copies(
  page: Page,
): Promise<Array<{ name: string; value: string; expires: number | null; domain: string | null }>> {
  return page.evaluate(() => (window as unknown as PantryWindow).pantry.copies()) as never;
}

const DAY = 24 * 60 * 60;

/** A cookie of the jar that lasts: on `.domain`, HttpOnly, Max-Age 34560000 s (400 days). */
export function expectDurable(cookie: Cookie | undefined, domain: string): void {
  expect(cookie).toBeDefined();
  expect(cookie!.domain).toBe(`.${domain}`);
  expect(cookie!.httpOnly).toBe(true);
  const days = (cookie!.expires - Date.now() / 1000) / DAY;
  expect(days).toBeGreaterThan(399);
  expect(days).toBeLessThanOrEqual(400.01);
}
