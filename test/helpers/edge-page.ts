/**
 * A site's page requested through a proxy in front of it, as the edge-mode suites send them (a
 * raw request with the page's public host; a browser's navigation headers), and what to read in
 * the answer: Pantry's cookie lines among the site's own.
 */
import { request as httpRequest } from 'node:http';
import { cookieJar, parseSetCookies } from './cookies';

/** An account's cookie `x-unblu-<key>-<kind>`, as the default naming gives it. */
export const cookieName = (key: string, kind: string) => `x-unblu-${key}-${kind}`;

/** What a browser sends for a navigation (Sec-Fetch-* only over https or to localhost). */
export const NAVIGATION = {
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
  'sec-fetch-dest': 'document',
  'sec-fetch-mode': 'navigate',
};

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  /** The Set-Cookie lines. */
  readonly cookies: string[];
  readonly ms: number;
}

/** One request to nginx for `host` (the site's public name; nginx's port is the test's). */
export function send(
  port: number,
  host: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        headers: { host, ...options.headers },
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body,
            cookies: res.headers['set-cookie'] ?? [],
            ms: performance.now() - started,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The line that sets `cookie`, parsed: its value and attributes (names in lower case). */
export const cookieLine = (answer: Answer, cookie: string) =>
  parseSetCookies(answer.cookies).find((c) => c.name === cookie);

/** The names of Pantry's cookies (and the keeper's) an answer sets. */
export const pantryCookies = (answer: Answer) =>
  answer.cookies
    .map((l) => l.split('=')[0])
    .filter((n) => n.startsWith('x-unblu-') || n === 'ajs_anonymous_id');

/** A Cookie header of every cookie the answers set (later ones replace earlier ones). */
export const jar = (...answers: Answer[]) =>
  cookieJar(parseSetCookies(answers.flatMap((answer) => answer.cookies)));

/** The visitor id an anonymous-person cookie carries (`<visitorId>.<signature>`). */
export const visitorOf = (answer: Answer, key: string) =>
  cookieLine(answer, cookieName(key, 'anonymous-person'))?.value.split('.')[0];

/** How many edge subrequests Pantry answered, with `status` if given (its own /metrics). */
export async function edgeAnswers(pantry: string, status?: number): Promise<number> {
  const text = await (await fetch(`${pantry}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('pantry_http_requests_total{') || !line.includes('route="/unblu/v1/edge"'))
      continue;
    if (status !== undefined && !line.includes(`status="${status}"`)) continue;
    sum += Number(line.split(' ').pop());
  }
  return sum;
}
