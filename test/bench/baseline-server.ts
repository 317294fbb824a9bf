/*
 * The benchmark's baseline: a bare node:http server doing the least work equivalent to the
 * visitor API's — refuse an unknown origin with 403; parse both cookie headers (`Cookie` and
 * the snippet's echo header); verify one HMAC (a returning visitor) or sign one new id; answer
 * three Set-Cookie lines, the relay header's JSON, CORS and a JSON body; and when a JSON body
 * comes (consent), read and parse it first.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';

const SECRET = Buffer.from(process.env.BASELINE_SECRET ?? 'baseline-secret-0123456789-0123456789');
const ALLOWED = new Set((process.env.BASELINE_ORIGINS ?? 'https://www.shop.test').split(','));
const NAME = 'x-unblu-anonymous-person';
const MAX_AGE = 34_560_000;
const seen = new Map<string, number>();

const mac = (id: string) => createHmac('sha256', SECRET).update(id).digest().subarray(0, 16);
const sign = (id: string) => `${id}.${mac(id).toString('base64url')}`;
const verify = (value: string): string | null => {
  const dot = value.indexOf('.');
  if (dot < 0) return null;
  const given = Buffer.from(value.slice(dot + 1), 'base64url');
  const id = value.slice(0, dot);
  return given.length === 16 && timingSafeEqual(given, mac(id)) ? id : null;
};

/** The visitor's signed value from a cookie-syntax header, or null. */
function find(header: string | string[] | undefined): string | null {
  if (typeof header !== 'string') return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === NAME) return part.slice(eq + 1).trim();
  }
  return null;
}

function answer(req: IncomingMessage, res: ServerResponse, origin: string | undefined): void {
  // Both headers parsed, as Pantry reads both; the first value that verifies wins.
  const fromCookie = find(req.headers.cookie);
  const fromEcho = find(req.headers['x-unblu-cookie']);
  let id: string | null = null;
  let value = '';
  for (const candidate of [fromCookie, fromEcho]) {
    if (candidate === null || id !== null) continue;
    id = verify(candidate);
    if (id !== null) value = candidate;
  }
  if (id === null) {
    id = randomBytes(16).toString('base64url');
    value = sign(id);
    seen.set(id, Date.now());
  }
  const expires = Math.floor(Date.now() / 1000) + MAX_AGE;
  const names = ['x-unblu-device', NAME, 'x-unblu-session'];
  const headers: Record<string, string | string[]> = {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    'set-cookie': names.map(
      (name) => `${name}=${value}; Max-Age=${MAX_AGE}; Path=/; HttpOnly; Secure; SameSite=None`,
    ),
  };
  if (origin) {
    headers['access-control-allow-origin'] = origin;
    headers['access-control-allow-credentials'] = 'true';
    headers['access-control-expose-headers'] = 'x-unblu-set-cookie';
    headers.vary = 'Origin';
    headers['x-unblu-set-cookie'] = JSON.stringify({
      v: 1,
      mode: 'LOCAL_STORAGE',
      cookies: names.map((name) => ({
        name,
        value,
        domain: null,
        path: '/',
        expires,
        secure: true,
        sameSite: 'None',
      })),
    });
  }
  res.writeHead(200, headers);
  res.end(JSON.stringify({ visitorId: id, deviceId: id, sessionId: id, consent: 'granted' }));
}

createServer((req, res) => {
  const origin = req.headers.origin;
  if (origin !== undefined && !ALLOWED.has(origin)) {
    res.writeHead(403, { 'content-type': 'application/json', vary: 'Origin' });
    res.end('{"error":"origin_not_allowed"}');
    req.resume();
    return;
  }
  if (req.headers['content-type'] === undefined) {
    answer(req, res, origin);
    req.resume();
    return;
  }
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => (body += chunk));
  req.on('end', () => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = null;
    }
    if (typeof (parsed as { granted?: unknown } | null)?.granted !== 'boolean') {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end('{"error":"bad_request"}');
      return;
    }
    answer(req, res, origin);
  });
}).listen(
  Number(process.env.PORT ?? 0),
  '127.0.0.1',
  function (this: { address(): { port: number } }) {
    process.stdout.write(`listening on http://127.0.0.1:${this.address().port}\n`);
  },
);
