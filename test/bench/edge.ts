/*
 * npm run bench:edge — edge mode against the proxies it replaces (SPEC §16, issue 30).
 *
 * A returning visitor's navigation to a site's HTML page of 2 KB and of 100 KB, in the same
 * rounds, through:
 *   - nginx alone (proxy_pass to the site, no cookies): what operators run already;
 *   - nginx in edge mode (the README's configuration: auth_request asks Pantry for the cookies);
 *   - Pantry's document mode (Pantry as the reverse proxy).
 * nginx (one worker), Pantry and the site's server share the server core, autocannon runs on
 * the other (taskset), as test/bench/bench.ts does. Then Pantry's edge answer alone against
 * identify for the same visitor, alternately in short runs (the median of the per-cycle
 * ratios, as bench:ab: the host's phases move every rate within minutes).
 *
 * BENCH_DURATION (seconds per run, default 8), BENCH_ROUNDS (default 3), BENCH_CONNECTIONS
 * (default 32), EDGE_CYCLES (edge against identify, default 8), EDGE_CYCLE_SECONDS (default 3).
 * Writes its tables into docs/BENCHMARKS.md between <!-- edge:start --> and <!-- edge:end -->.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { edgeConfiguration, readmeEdgeBlock, startNginxHttp } from '../helpers/nginx';
import {
  DOC_HOST,
  DOC_KEY,
  identifyPath,
  load,
  mean,
  median,
  PIN,
  Sample,
  Server,
  SERVER_CORE,
  Shape,
  start,
  writeConfig,
} from './bench';

const ROOT = join(__dirname, '..', '..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CYCLES = Number(process.env.EDGE_CYCLES ?? 8);
const CYCLE_SECONDS = Number(process.env.EDGE_CYCLE_SECONDS ?? 3);

/** The site's own server: an HTML page of 2 KB at /, of 100 KB at /large, from memory. */
const SITE_JS = `
const http = require('node:http');
const page = (bytes) => {
  const head = '<!doctype html><html><head><meta charset="utf-8"><title>Shop</title></head><body><h1>Shop</h1>';
  const tail = '</body></html>';
  const row = '<p>A product, a price, a button.</p>';
  return head + row.repeat(Math.ceil((bytes - head.length - tail.length) / row.length)) + tail;
};
const pages = { '/': page(2 * 1024), '/large': page(100 * 1024) };
const server = http.createServer((req, res) => {
  const body = pages[req.url] ?? pages['/'];
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'max-age=60', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.keepAliveTimeout = 72000;
server.listen(Number(process.env.PORT) || 0, '127.0.0.1', () =>
  console.log('listening on http://127.0.0.1:' + server.address().port));
`;

/** Chromium's navigation to the page: what nginx and document mode see. */
const NAVIGATION: Record<string, string> = {
  host: DOC_HOST,
  connection: 'keep-alive',
  accept:
    'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8',
  'accept-encoding': 'gzip, deflate, br, zstd',
  'accept-language': 'en-GB,en-US;q=0.9,en;q=0.8',
  'sec-ch-ua': '"Chromium";v="142", "Google Chrome";v="142", "Not_A Brand";v="99"',
  'sec-ch-ua-mobile': '?0',
  'sec-ch-ua-platform': '"Linux"',
  'sec-fetch-dest': 'document',
  'sec-fetch-mode': 'navigate',
  'sec-fetch-site': 'same-origin',
  'sec-fetch-user': '?1',
  'upgrade-insecure-requests': '1',
  'user-agent':
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36',
};
const SITE_COOKIES = '_ga=GA1.1.1234567890.1763800000; cookie_banner=dismissed; cart=3';

/** A listener that is not a node child (nginx): its RSS is not reported. */
function listener(port: number): Server {
  return {
    url: `http://127.0.0.1:${port}`,
    child: undefined as never,
    startMs: 0,
    rssMiB: () => 0,
    stop: () => Promise.resolve(),
  };
}

/**
 * nginx alone: the README's edge block without its edge lines (auth_request, auth_request_set,
 * add_header): the same server, locations and proxy settings, asking Pantry nothing.
 */
function withoutEdge(block: string): string {
  const plain = block
    .split('\n')
    .filter((line) => !/^\s*(auth_request|auth_request_set|add_header)\s/.test(line))
    .join('\n');
  if (/auth_request/.test(plain.replace(/#.*$/gm, ''))) throw new Error('edge lines left');
  return plain;
}

interface Target {
  name: string;
  server: Server;
  shape: Shape;
}

/**
 * A response's Pantry cookie lines (Set-Cookie, or the edge answer's numbered headers), for the
 * checks before measuring. node:http, not fetch: fetch will not send a Host header.
 */
function pantryLines(
  url: string,
  headers: Record<string, string>,
  method = 'GET',
): Promise<{ status: number; lines: string[] }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method, headers: { ...headers, connection: 'close' } },
      (res) => {
        res.resume();
        res.on('end', () => {
          const setCookie = res.headers['set-cookie'] ?? [];
          const edge = Object.entries(res.headers)
            .filter(([name]) => name.startsWith('x-unblu-edge-cookie-'))
            .map(([, value]) => String(value));
          resolve({
            status: res.statusCode ?? 0,
            lines: [...setCookie.filter((l) => l.startsWith('x-unblu-')), ...edge],
          });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function main(): Promise<void> {
  if (!existsSync(join(ROOT, 'dist', 'main.js'))) throw new Error('run npm run build first');
  const work = mkdtempSync(join(tmpdir(), 'pantry-bench-edge-'));
  const siteJs = join(work, 'site.js');
  writeFileSync(siteJs, SITE_JS);
  const site = await start([siteJs], {});
  const config = join(work, 'config');
  writeConfig(config, 1, site.url);
  writeFileSync(
    join(config, 'application.properties'),
    `${readFileSync(join(config, 'application.properties'), 'utf8')}\nserver.trustProxy = true\n`,
  );
  const pantry = await start(['dist/main.js'], { PANTRY_CONFIG_DIR: config });
  const pantryPort = Number(new URL(pantry.url).port);
  const sitePort = Number(new URL(site.url).port);
  const cpu = PIN ? SERVER_CORE : undefined;
  // The README's edge block as the tests run it, and the same server without edge mode.
  const block = readmeEdgeBlock();
  const addresses = { pantry: pantryPort, site: sitePort };
  const plain = await startNginxHttp(edgeConfiguration(withoutEdge(block), addresses), { cpu });
  const edgeNginx = await startNginxHttp(edgeConfiguration(block, addresses), { cpu });
  const alone = listener(plain.port);
  const edge = listener(edgeNginx.port);
  try {
    // The returning visitor: the cookies an edge answer sets, as the browser sends them back.
    const { lines: first } = await pantryLines(`${edge.url}/`, NAVIGATION);
    if (first.length < 2) throw new Error(`edge mode set no cookies: ${first.join(' | ')}`);
    const cookie = `${SITE_COOKIES}; ${first.map((l) => l.split(';')[0]).join('; ')}`;
    const navigation = { ...NAVIGATION, cookie };
    const targets = (path: string): Target[] => [
      { name: 'nginx alone', server: alone, shape: { path, method: 'GET', headers: navigation } },
      {
        name: 'nginx edge mode',
        server: edge,
        shape: { path, method: 'GET', headers: navigation },
      },
      {
        name: 'Pantry document mode',
        server: pantry,
        shape: { path, method: 'GET', headers: navigation },
      },
    ];
    const pages = [
      { size: '2 KB', targets: targets('/') },
      { size: '100 KB', targets: targets('/large') },
    ];
    // What each measures: the edge and document answers carry the refreshed cookies, nginx
    // alone none.
    for (const { targets: ts } of pages) {
      for (const t of ts) {
        const { status, lines } = await pantryLines(
          `${t.server.url}${t.shape.path}`,
          t.shape.headers,
        );
        const wanted = t.name === 'nginx alone' ? 0 : 2;
        if (status !== 200 || lines.length < wanted || (wanted === 0 && lines.length > 0)) {
          throw new Error(
            `${t.name} ${t.shape.path}: ${status}, ${lines.length} Pantry cookie lines`,
          );
        }
      }
    }
    for (const { targets: ts } of pages) for (const t of ts) await load(t.server, t.shape, 2);
    const samples = new Map<Target, Sample[]>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const { targets: ts } of pages) {
        // The order rotates every round, so no target always runs after the same one.
        for (let i = 0; i < ts.length; i++) {
          const t = ts[(i + round) % ts.length];
          const sample = await load(t.server, t.shape);
          samples.set(t, [...(samples.get(t) ?? []), sample]);
          console.log(
            `${t.name} ${t.shape.path}: ${sample.rps.toFixed(0)} req/s, p99 ${sample.p99} ms`,
          );
        }
      }
    }

    // Pantry's edge answer alone against identify, the same visitor on the same account.
    const pantryCookies = first.map((l) => l.split(';')[0]).join('; ');
    const edgeShape: Shape = {
      path: '/unblu/v1/edge',
      method: 'GET',
      headers: {
        // What the README's nginx sends: the navigation's headers, the public host and scheme.
        ...NAVIGATION,
        host: '127.0.0.1',
        'x-forwarded-host': DOC_HOST,
        'x-forwarded-proto': 'http',
        'x-forwarded-uri': '/products/espresso-machine?ref=home',
        cookie: `${SITE_COOKIES}; ${pantryCookies}`,
      },
    };
    // identify as the snippet calls it on the same site (the same-origin path mode).
    const identifyShape: Shape = {
      path: identifyPath(DOC_KEY),
      method: 'POST',
      headers: {
        ...NAVIGATION,
        accept: '*/*',
        'sec-fetch-dest': 'empty',
        'sec-fetch-mode': 'cors',
        'content-length': '0',
        cookie: `${SITE_COOKIES}; ${pantryCookies}`,
      },
    };
    const edgeAnswer = await pantryLines(`${pantry.url}${edgeShape.path}`, edgeShape.headers);
    const identifyAnswer = await pantryLines(
      `${pantry.url}${identifyShape.path}`,
      identifyShape.headers,
      'POST',
    );
    // Both refresh the same two identity cookies: the same work asked of each.
    if (
      edgeAnswer.status !== 204 ||
      identifyAnswer.status !== 200 ||
      edgeAnswer.lines.length !== identifyAnswer.lines.length ||
      edgeAnswer.lines.length < 2
    ) {
      throw new Error(
        `edge ${edgeAnswer.status} (${edgeAnswer.lines.length} lines), identify ${identifyAnswer.status} (${identifyAnswer.lines.length})`,
      );
    }
    await load(pantry, edgeShape, 2);
    await load(pantry, identifyShape, 2);
    const cycles: Array<{ edge: Sample; identify: Sample }> = [];
    for (let c = 0; c < CYCLES; c++) {
      const runEdge = () => load(pantry, edgeShape, CYCLE_SECONDS);
      const runIdentify = () => load(pantry, identifyShape, CYCLE_SECONDS);
      const [a, b] =
        c % 2 === 0
          ? [await runEdge(), await runIdentify()]
          : await (async () => {
              const i = await runIdentify();
              return [await runEdge(), i];
            })();
      cycles.push({ edge: a, identify: b });
      console.log(`cycle ${c + 1}: edge ${a.rps.toFixed(0)}, identify ${b.rps.toFixed(0)}`);
    }
    const ratios = cycles.map((c) => c.edge.rps / c.identify.rps);
    report(pages, samples, cycles, ratios);
  } finally {
    await plain.stop();
    await edgeNginx.stop();
    await pantry.stop();
    await site.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

function report(
  pages: Array<{ size: string; targets: Target[] }>,
  samples: Map<Target, Sample[]>,
  cycles: Array<{ edge: Sample; identify: Sample }>,
  ratios: number[],
): void {
  const row = (size: string, t: Target) => {
    const s = samples.get(t)!;
    return `| ${size} | ${t.name} | ${mean(s.map((x) => x.rps)).toFixed(0)} | ${mean(s.map((x) => x.p50)).toFixed(1)} | ${mean(s.map((x) => x.p99)).toFixed(1)} | ${s.reduce((a, x) => a + x.non2xx, 0)} / ${s.reduce((a, x) => a + x.errors, 0)} | ${s.map((x) => x.rps.toFixed(0)).join(', ')} |`;
  };
  const rate = (size: string, name: string) => {
    const t = pages.find((p) => p.size === size)!.targets.find((x) => x.name === name)!;
    return mean(samples.get(t)!.map((x) => x.rps));
  };
  const lines = [
    `Run on ${new Date().toISOString().slice(0, 10)}: ${ROUNDS} rounds of ${process.env.BENCH_DURATION ?? 8} s, ${process.env.BENCH_CONNECTIONS ?? 32} connections, nginx (1 worker), Pantry and the site's server pinned to core ${SERVER_CORE}, autocannon on the other. A returning visitor's navigation (Chromium's headers, its cookies).`,
    '',
    '| page | through | req/s | p50 ms | p99 ms | non-2xx / errors | runs (req/s) |',
    '|---|---|---:|---:|---:|---|---|',
    ...pages.flatMap((p) => p.targets.map((t) => row(p.size, t))),
    '',
    ...pages.map(
      (p) =>
        `- ${p.size}: edge mode ${(rate(p.size, 'nginx edge mode') / rate(p.size, 'Pantry document mode')).toFixed(2)}× document mode, ${(rate(p.size, 'nginx edge mode') / rate(p.size, 'nginx alone')).toFixed(2)}× nginx alone; document mode ${(rate(p.size, 'Pantry document mode') / rate(p.size, 'nginx alone')).toFixed(2)}× nginx alone.`,
    ),
    `- Pantry's edge answer alone against identify (same visitor, same account, ${CYCLES} alternating cycles of ${CYCLE_SECONDS} s): median **${median(ratios).toFixed(3)}×** (${ratios.map((r) => r.toFixed(3)).join(' ')}); ${mean(cycles.map((c) => c.edge.rps)).toFixed(0)} / ${mean(cycles.map((c) => c.identify.rps)).toFixed(0)} req/s, p99 ${mean(cycles.map((c) => c.edge.p99)).toFixed(1)} / ${mean(cycles.map((c) => c.identify.p99)).toFixed(1)} ms, non-2xx ${cycles.reduce((a, c) => a + c.edge.non2xx + c.identify.non2xx, 0)}.`,
  ];
  const text = lines.join('\n');
  console.log(`\n${text}\n`);
  const path = join(ROOT, 'docs', 'BENCHMARKS.md');
  const doc = readFileSync(path, 'utf8');
  const block = `<!-- edge:start (npm run bench:edge) -->\n${text}\n<!-- edge:end -->`;
  const replaced = /<!-- edge:start[^>]*-->[\s\S]*<!-- edge:end -->/.test(doc)
    ? doc.replace(/<!-- edge:start[^>]*-->[\s\S]*<!-- edge:end -->/, block)
    : doc.replace(
        '<!-- notes:start -->',
        `<!-- notes:start -->\n### Edge mode (issue 30)\n\n${block}\n`,
      );
  writeFileSync(path, replaced);
  console.log(`wrote ${path}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
