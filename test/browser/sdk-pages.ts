/**
 * The analytics SDKs, as the keeper's browser suite loads them: each one's browser build from
 * its npm package (dev dependencies), and the `<script>` blocks of README "Keeping your analytics
 * ids" (the page is made of those blocks, so what the README shows is what the test runs).
 * Facts about each SDK's cookie: /work/prompts/sdk-cookies.md (checked in these packages).
 */
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BrowserContext, Page } from 'playwright-core';
import { sectionBlocks } from './readme-blocks';

const ROOT = join(__dirname, '..', '..');
const MODULES = join(ROOT, 'node_modules');

export const SDKS = ['segment', 'rudderstack', 'posthog', 'snowplow', 'treasuredata'] as const;
export type Sdk = (typeof SDKS)[number];

/** The PostHog project token of the README's init (its cookie is `ph_<token>_posthog`). */
const POSTHOG_TOKEN = 'phc_shop';

/** The anonymous-id cookie each SDK writes (Snowplow's name ends in a hash of its domain). */
export const SDK_COOKIE: Record<Sdk, RegExp> = {
  segment: /^ajs_anonymous_id$/,
  rudderstack: /^rl_anonymous_id$/,
  posthog: new RegExp(`^ph_${POSTHOG_TOKEN}_posthog$`),
  snowplow: /^_sp_id\.[0-9a-f]{4}$/,
  treasuredata: /^_td$/,
};

/**
 * Each SDK's browser build, by the path the README's blocks load it from. Segment's package has
 * no self-contained browser build (its UMD loads chunks from Segment's CDN): esbuild bundles
 * AnalyticsBrowser. The others ship one: RudderStack's *bundled* UMD (plugins inside; the plain
 * one loads them from the CDN), PostHog's no-external array build, Snowplow's and Treasure
 * Data's UMD.
 */
export async function sdkScripts(): Promise<Map<string, string>> {
  const segment = await build({
    stdin: {
      contents: "export { AnalyticsBrowser } from '@segment/analytics-next';",
      resolveDir: ROOT,
    },
    bundle: true,
    format: 'iife',
    globalName: 'SegmentAnalytics',
    platform: 'browser',
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  const file = (path: string) => readFileSync(join(MODULES, path), 'utf8');
  return new Map([
    ['/js/segment.js', segment.outputFiles[0].text],
    ['/js/rudderstack.js', file('@rudderstack/analytics-js/dist/npm/modern/bundled/umd/index.js')],
    ['/js/posthog.js', file('posthog-js/dist/array.no-external.js')],
    ['/js/snowplow.js', file('@snowplow/browser-tracker/dist/index.umd.min.js')],
    ['/js/treasuredata.js', file('td-js-sdk/dist/td.min.js')],
  ]);
}

// ---------------------------------------------------------------------------------------------
// The README's blocks

export type Mode = 'path' | 'subdomain' | 'document';

interface ReadmeBlocks {
  readonly modes: Record<Mode, string>;
  readonly sdks: Record<Sdk, string>;
}

const SECTION = 'Keeping your analytics ids';

/** The ```html blocks under README's "Keeping your analytics ids", by deployment mode and SDK. */
export function readmeBlocks(readme?: string): ReadmeBlocks {
  const modes: Partial<Record<Mode, string>> = {};
  const sdks: Partial<Record<Sdk, string>> = {};
  for (const { lang, text } of sectionBlocks(SECTION, readme)) {
    if (lang !== 'html') continue;
    const sdk = /src="\/js\/(\w+)\.js"/.exec(text)?.[1] as Sdk | undefined;
    if (sdk !== undefined && (SDKS as readonly string[]).includes(sdk)) sdks[sdk] = text;
    else if (text.includes('src="https://cookies.shop.com/unblu/v1/keep.js'))
      modes.subdomain = text;
    else if (text.includes('src="/pantry/unblu/v1/keep.js')) modes.path = text;
    else if (text.includes('src="/unblu/visitor.js') && !/src="[^"]*keep\.js/.test(text)) {
      modes.document = text;
    } else
      throw new Error(`README "${SECTION}": an html block neither a mode nor an SDK:\n${text}`);
  }
  const missing = [
    ...(['path', 'subdomain', 'document'] as const).filter((m) => !modes[m]),
    ...SDKS.filter((s) => !sdks[s]),
  ];
  if (missing.length > 0)
    throw new Error(`README "${SECTION}" lacks blocks for ${missing.join(', ')}`);
  return { modes: modes as Record<Mode, string>, sdks: sdks as Record<Sdk, string> };
}

/**
 * A shop page: the mode's block (keep.js and the snippet) then every SDK's block, with the
 * README's key and Pantry host replaced by the test's.
 */
export function shopPage(
  blocks: ReadmeBlocks,
  mode: Mode,
  key: string,
  pantryOrigin: string,
): string {
  const body = [blocks.modes[mode], ...SDKS.map((s) => blocks.sdks[s])]
    .join('\n')
    .replaceAll('shop-key-0001', key)
    .replaceAll('https://cookies.shop.com', pantryOrigin);
  return `<!doctype html><html><head><meta charset="utf-8"><title>shop</title></head>
<body><h1>Shop</h1>
${body}
</body></html>`;
}

// ---------------------------------------------------------------------------------------------
// In the page

/** The globals the README's SDK blocks define. */
interface SdkGlobals {
  analytics: { user(): Promise<{ anonymousId(): string }> };
  rudder: { ready(callback: () => void): void; getAnonymousId(): string };
  posthog: { get_distinct_id(): string };
  snowplow: { getDomainUserId(): string };
  td: { getTrackValues(): { td_client_id: string } };
}

/** Each SDK's anonymous id, asked through its own API. */
export function sdkIds(page: Page): Promise<Record<Sdk, string>> {
  return page.evaluate(async () => {
    const w = window as unknown as SdkGlobals;
    const rudderstack = await new Promise<string>((resolve) =>
      w.rudder.ready(() => resolve(w.rudder.getAnonymousId())),
    );
    return {
      segment: (await w.analytics.user()).anonymousId(),
      rudderstack,
      posthog: w.posthog.get_distinct_id(),
      snowplow: w.snowplow.getDomainUserId(),
      treasuredata: w.td.getTrackValues().td_client_id,
    };
  });
}

/**
 * Waits until every SDK has written its cookie (Snowplow flushes its cookies asynchronously).
 * The whole jar: `cookies(url)` leaves out Secure cookies (Snowplow's, Treasure Data's) for an
 * http URL, though the test's origins count as secure.
 */
export async function sdkCookiesWritten(context: BrowserContext): Promise<void> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const names = (await context.cookies()).map((c) => c.name);
    const missing = SDKS.filter((s) => !names.some((n) => SDK_COOKIE[s].test(n)));
    if (missing.length === 0) return;
    if (Date.now() > deadline) throw new Error(`no cookie written by ${missing.join(', ')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * What Safari does after 7 days: every cookie a script can see is gone, and all of localStorage
 * (on every origin the context has opened). Pantry's HttpOnly cookies stay.
 */
export async function purgeScriptStorage(context: BrowserContext): Promise<void> {
  for (const c of await context.cookies()) {
    if (!c.httpOnly) await context.clearCookies({ name: c.name, domain: c.domain, path: c.path });
  }
  for (const page of context.pages()) {
    await page.evaluate(() => {
      localStorage.clear();
      sessionStorage.clear();
    });
    await page.close();
  }
}
