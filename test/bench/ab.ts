/*
 * npm run bench:ab -- <build A> <build B> — two builds of Pantry side by side, for judging a
 * change. The benchmarking host runs in phases that move every process's rate by up to 2× within
 * minutes (docs/BENCHMARKS.md), which buries a change of a few percent in `npm run bench`'s
 * minutes-apart rounds. Here both builds run at once, each with its own configuration and
 * database, and are measured alternately in short runs: a phase that changes shows as one odd
 * cycle, and the median of the per-cycle ratios ignores it. The same build against itself gave
 * medians of 0.99–1.04 on the machine of docs/BENCHMARKS.md: a change under ~4% needs several
 * runs, or stays unproven.
 *
 * A build is a copy of `dist` inside the repository, so that it finds node_modules:
 *   npm run build && cp -r dist .ab/a   # before the change
 *   npm run build && cp -r dist .ab/b   # after it
 *   npm run bench:ab -- .ab/a .ab/b
 *
 * AB_SCENARIO: cookie (a returning visitor by Cookie, the default), echo, new, consent, kept.
 *
 * `kept` (the cookie keeper, SPEC §14) compares configurations, not builds: a returning visitor
 * of a PRODUCT_DOMAIN account, same-origin, whose browser sends two kept cookies (`_ga`,
 * `ajs_anonymous_id`); build A's account has no `keeper.cookies`, build B's keeps `ga, segment`
 * (refreshed by Set-Cookie on every answer). Give the same build twice:
 *   npm run build && AB_SCENARIO=kept npm run bench:ab -- dist dist
 * AB_CYCLES (default 8), AB_DURATION (seconds per run, default 3), BENCH_CONNECTIONS (32).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  byCookie,
  byEcho,
  CHROMIUM,
  CONSENT_BODY,
  consentPath,
  cookiesFrom,
  identifyPath,
  load,
  mean,
  median,
  rates,
  Sample,
  Server,
  Shape,
  start,
  withBody,
  writeConfig,
} from './bench';

const SCENARIOS = ['cookie', 'echo', 'new', 'consent', 'kept'] as const;
type Scenario = (typeof SCENARIOS)[number];

const IDENTIFY = identifyPath('bench-000002-key');
const CONSENT = consentPath('bench-000002-key');
const KEPT = identifyPath('kept-key-0001');

/** The `kept` scenario's account: PRODUCT_DOMAIN, with the keeper on build B only. */
function writeKeptAccount(dir: string, keeper: boolean): void {
  writeFileSync(
    join(dir, 'accounts', 'kept.properties'),
    [
      'account.apiKeys = kept-key-0001',
      // cookiesFrom's first identify comes from the site's page.
      'server.cors.allowedOrigins = https://www.shop.test',
      'consent.required = false',
      ...(keeper ? ['keeper.cookies = ga, segment'] : []),
    ].join('\n'),
  );
}

/** The request the scenario repeats, with this server's own cookies where it needs them. */
async function shapeFor(scenario: Scenario, server: Server): Promise<Shape> {
  if (scenario === 'new') return { path: IDENTIFY, headers: CHROMIUM };
  if (scenario === 'kept') {
    // Same-origin (the path mode): the page's own host, no Origin. byCookie's site cookies
    // hold `_ga`; `ajs_anonymous_id` is the second kept cookie.
    const own = await cookiesFrom(server, { path: KEPT, headers: {} });
    const headers = byCookie(`${own}; ajs_anonymous_id=0b7f3c52-3f0e-4f6e-9a43-5c1d2f9e8a10`);
    delete headers.origin;
    return {
      path: KEPT,
      headers: { ...headers, host: 'www.shop.test', 'sec-fetch-site': 'same-origin' },
    };
  }
  const cookie = await cookiesFrom(server, { path: IDENTIFY, headers: {} });
  if (scenario === 'echo') return { path: IDENTIFY, headers: byEcho(cookie) };
  if (scenario === 'consent') {
    return { path: CONSENT, headers: withBody(byCookie(cookie)), body: CONSENT_BODY };
  }
  return { path: IDENTIFY, headers: byCookie(cookie) };
}

const isKept = (line: string) => line.startsWith('_ga=') || line.startsWith('ajs_anonymous_id=');

/** The Set-Cookie lines of one request of the shape (node:http: fetch cannot set Host). */
function setCookies(server: Server, shape: Shape): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${server.url}${shape.path}`, {
      method: 'POST',
      headers: shape.headers,
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.headers['set-cookie'] ?? []));
    });
    req.on('error', reject);
    req.end();
  });
}

async function main(): Promise<void> {
  const builds = process.argv.slice(2);
  const scenario = (process.env.AB_SCENARIO ?? 'cookie') as Scenario;
  const cycles = Number(process.env.AB_CYCLES ?? 8);
  const seconds = Number(process.env.AB_DURATION ?? 3);
  if (builds.length !== 2 || !SCENARIOS.includes(scenario) || !(cycles >= 1) || !(seconds >= 1)) {
    throw new Error(
      `usage: npm run bench:ab -- <build A> <build B> (AB_SCENARIO one of ${SCENARIOS.join(', ')}; AB_CYCLES, AB_DURATION ≥ 1)`,
    );
  }
  const work = mkdtempSync(join(tmpdir(), 'pantry-ab-'));
  const servers: Server[] = [];
  try {
    for (const [i, build] of builds.entries()) {
      const dir = join(work, String(i));
      writeConfig(dir, 3);
      if (scenario === 'kept') writeKeptAccount(dir, i === 1);
      servers.push(await start([join(build, 'main.js')], { PANTRY_CONFIG_DIR: dir }));
    }
    const shapes = await Promise.all(servers.map((server) => shapeFor(scenario, server)));
    if (scenario === 'kept') {
      // The comparison means something only if B sets the kept cookies and A does not.
      const sets = await Promise.all(servers.map((server, i) => setCookies(server, shapes[i])));
      if (sets[0].some(isKept) || !sets[1].some(isKept)) {
        throw new Error(`kept: unexpected Set-Cookie lines ${JSON.stringify(sets)}`);
      }
    }
    // Warm-up, not measured: V8 optimises for the traffic it has seen.
    for (const [i, server] of servers.entries()) await load(server, shapes[i], 3);
    const samples: Sample[][] = [[], []];
    for (let cycle = 0; cycle < cycles; cycle++) {
      // Which build goes first alternates, as a phase may favour either position.
      for (const i of cycle % 2 ? [1, 0] : [0, 1]) {
        samples[i].push(await load(servers[i], shapes[i], seconds));
      }
    }
    const ratios = samples[0].map((a, k) => samples[1][k].rps / a.rps);
    for (const [i, build] of builds.entries()) {
      const rps = samples[i].map((x) => x.rps);
      const p99 = samples[i].map((x) => x.p99);
      const bad = samples[i].reduce((n, x) => n + x.non2xx + x.errors, 0);
      console.log(
        `${build}: ${mean(rps).toFixed(0)} req/s, p99 ${median(p99).toFixed(1)} ms (median), non-2xx/errors ${bad}; runs ${rates(samples[i])}`,
      );
    }
    console.log(`B/A per cycle: ${ratios.map((r) => r.toFixed(3)).join(' ')}`);
    console.log(`B/A median: ${median(ratios).toFixed(3)} (${scenario}, ${cycles} × ${seconds} s)`);
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
