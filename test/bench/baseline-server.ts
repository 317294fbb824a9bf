/*
 * The benchmark's baseline: a bare node:http server doing the least work equivalent to
 * identify — parse the cookies, verify one HMAC (or sign new ids), answer three Set-Cookie
 * lines with CORS and a JSON body; refuse an unknown origin with 403.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

const SECRET = Buffer.from(process.env.BASELINE_SECRET ?? 'baseline-secret-0123456789-0123456789');
const ALLOWED = new Set((process.env.BASELINE_ORIGINS ?? 'https://www.shop.test').split(','));
const NAME = 'x-unblu-anonymous-person';
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

createServer((req, res) => {
  const origin = req.headers.origin;
  if (origin !== undefined && !ALLOWED.has(origin)) {
    res.writeHead(403, { 'content-type': 'application/json' });
    res.end('{"error":"origin_not_allowed"}');
    return;
  }
  let person: string | null = null;
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === NAME) person = verify(part.slice(eq + 1).trim());
  }
  const id = person ?? randomBytes(16).toString('base64url');
  if (!person) seen.set(id, Date.now());
  const headers: Record<string, string | string[]> = {
    'content-type': 'application/json',
    'set-cookie': [
      `x-unblu-device=${sign(id)}; Max-Age=34560000; Path=/; HttpOnly; Secure; SameSite=None`,
      `${NAME}=${sign(id)}; Max-Age=34560000; Path=/; HttpOnly; Secure; SameSite=None`,
      `x-unblu-session=${sign(id)}; Path=/; HttpOnly; Secure; SameSite=None`,
    ],
  };
  if (origin) {
    headers['access-control-allow-origin'] = origin;
    headers['access-control-allow-credentials'] = 'true';
    headers.vary = 'Origin';
  }
  req.resume();
  res.writeHead(200, headers);
  res.end(JSON.stringify({ visitorId: id }));
}).listen(
  Number(process.env.PORT ?? 0),
  '127.0.0.1',
  function (this: { address(): { port: number } }) {
    process.stdout.write(`listening on http://127.0.0.1:${this.address().port}\n`);
  },
);
