import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { VisitorDispatcher } from '../src/visitor/visitor-http';
import { cookieHeader } from './helpers/cookies';
import { useApp } from './helpers/test-app';

const KEY = 'shop-key-0001';
const ORIGIN = 'https://www.shop.com';
const CONSENT = `/unblu/v1/consent?x-unblu-apikey=${KEY}`;
const IDENTIFY = `/unblu/v1/identify?x-unblu-apikey=${KEY}`;

/**
 * The visitor API's dispatcher answers before Fastify: it must answer exactly as the same
 * routes on Fastify do, and leave to Fastify what it does not read itself.
 */
describe('visitor dispatcher', () => {
  let port: number;
  const taken: boolean[] = [];

  const pantry = useApp({
    accounts: {
      shop: [
        `account.apiKeys = ${KEY}`,
        `server.cors.allowedOrigins = ${ORIGIN}`,
        'server.cors.corsCookieMode = LOCAL_STORAGE',
        'consent.required = false',
      ].join('\n'),
    },
  });
  beforeAll(async () => {
    await pantry.app.listen(0, '127.0.0.1');
    port = (pantry.app.getHttpServer().address() as { port: number }).port;
    const take = VisitorDispatcher.prototype.take;
    jest.spyOn(VisitorDispatcher.prototype, 'take').mockImplementation(function (
      this: VisitorDispatcher,
      ...args
    ) {
      const result = take.apply(this, args);
      taken.push(result);
      return result;
    });
  });

  afterAll(() => {
    jest.restoreAllMocks();
  });

  /** One raw request on a fresh connection: status, headers, body, and whether it was taken. */
  const raw = (
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: string | string[],
  ) =>
    new Promise<{ status: number; headers: Record<string, unknown>; body: string; taken: boolean }>(
      (resolve, reject) => {
        taken.length = 0;
        const req = httpRequest(
          { host: '127.0.0.1', port, method, path, headers: { host: 'pantry.test', ...headers } },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => (text += c));
            res.on('end', () =>
              resolve({
                status: res.statusCode!,
                headers: res.headers,
                body: text,
                taken: taken[0] ?? false,
              }),
            );
          },
        );
        req.on('error', reject);
        // A string body goes with its length; an array is sent chunked.
        if (typeof body === 'string' && headers['content-length'] === undefined) {
          req.setHeader('content-length', Buffer.byteLength(body));
        }
        for (const part of Array.isArray(body) ? body : body === undefined ? [] : [body]) {
          req.write(part);
        }
        req.end();
      },
    );

  it.each<
    [string, string, string, Record<string, string>, string | string[] | undefined, number, boolean]
  >([
    ['identify without a body', 'POST', IDENTIFY, {}, undefined, 200, true],
    ['identify with Content-Length: 0', 'POST', IDENTIFY, { 'content-length': '0' }, '', 200, true],
    [
      'identify with a JSON body (ignored)',
      'POST',
      IDENTIFY,
      { 'content-type': 'application/json' },
      '{"a":[1]}',
      200,
      true,
    ],
    [
      'consent with its JSON body',
      'POST',
      CONSENT,
      { 'content-type': 'application/json; charset=utf-8' },
      '{"granted":true}',
      200,
      true,
    ],
    [
      'consent chunked (Fastify reads it)',
      'POST',
      CONSENT,
      { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      ['{"gran', 'ted":true}'],
      200,
      false,
    ],
    [
      'consent as text/plain (Fastify: its text parser, not an object: 400)',
      'POST',
      CONSENT,
      { 'content-type': 'text/plain' },
      '{"granted":true}',
      400,
      false,
    ],
    ['identify with a body and no type (Fastify: 415)', 'POST', IDENTIFY, {}, 'hello', 415, false],
    [
      'consent with an empty JSON body',
      'POST',
      CONSENT,
      { 'content-type': 'application/json', 'content-length': '0' },
      '',
      400,
      true,
    ],
    [
      'consent with malformed JSON',
      'POST',
      CONSENT,
      { 'content-type': 'application/json' },
      '{"granted":',
      400,
      true,
    ],
    [
      'consent with __proto__',
      'POST',
      CONSENT,
      { 'content-type': 'application/json' },
      '{"__proto__":{"granted":true}}',
      400,
      true,
    ],
    [
      'consent nested too deep',
      'POST',
      CONSENT,
      { 'content-type': 'application/json' },
      `${'['.repeat(40)}${']'.repeat(40)}`,
      400,
      true,
    ],
    [
      'consent with an unknown field',
      'POST',
      CONSENT,
      { 'content-type': 'application/json' },
      '{"granted":true,"x":1}',
      400,
      true,
    ],
    [
      'consent too large',
      'POST',
      CONSENT,
      { 'content-type': 'application/json' },
      `{"a":"${'x'.repeat(70_000)}"}`,
      413,
      true,
    ],
    [
      'a preflight',
      'OPTIONS',
      IDENTIFY,
      { origin: ORIGIN, 'access-control-request-method': 'POST' },
      undefined,
      204,
      true,
    ],
    ['GET on identify (Fastify: 404)', 'GET', IDENTIFY, {}, undefined, 404, false],
    [
      'a trailing slash (Fastify: 404)',
      'POST',
      `/unblu/v1/identify/?x-unblu-apikey=${KEY}`,
      {},
      undefined,
      404,
      false,
    ],
    ['no API key', 'POST', '/unblu/v1/identify', {}, undefined, 401, true],
  ])('%s', async (_what, method, path, headers, body, status, byDispatcher) => {
    const res = await raw(method, path, { origin: ORIGIN, ...headers }, body);
    expect(res.status).toBe(status);
    expect(res.taken).toBe(byDispatcher);
    expect(res.headers['x-request-id']).toEqual(expect.any(String));
    if (status >= 400) {
      expect(JSON.parse(res.body)).toMatchObject({ statusCode: status, error: expect.any(String) });
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    if (status === 413) expect(res.headers.connection).toBe('close');
  });

  it('reads a JSON body in the packet of its headers, after them, or split between the two', async () => {
    /** One request on a raw socket: `parts` are written 30 ms apart. */
    const send = (parts: Array<string | Buffer>) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1');
        let answer = '';
        socket.setEncoding('utf8');
        socket.on('data', (d: string) => (answer += d));
        socket.on('end', () => resolve(answer));
        socket.on('error', reject);
        parts.forEach((part, i) => setTimeout(() => socket.write(part), i * 30));
      });
    const head = (body: string) =>
      `POST ${CONSENT} HTTP/1.1\r\nhost: pantry.test\r\norigin: ${ORIGIN}\r\n` +
      `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
      'connection: close\r\n\r\n';
    for (const body of ['{"granted":true}', '{"granted":']) {
      const answers = await Promise.all([
        send([head(body) + body]),
        send([head(body), body]),
        send([head(body) + body.slice(0, 5), body.slice(5)]),
      ]);
      for (const answer of answers) {
        if (body.endsWith('}')) {
          expect(answer).toMatch(/^HTTP\/1\.1 200 /);
          expect(answer).toContain('"consent":"granted"');
        } else {
          expect(answer).toMatch(/^HTTP\/1\.1 400 /);
          expect(answer).not.toContain('set-cookie');
        }
      }
    }
    // A character split between two packets is read whole: the refusal names the field alike.
    const accented = '{"granted":true,"é":1}';
    const bytes = Buffer.from(accented);
    const cut = bytes.indexOf(0xc3) + 1; // inside é (c3 a9)
    const [whole, split] = await Promise.all([
      send([head(accented) + accented]),
      send([
        Buffer.concat([Buffer.from(head(accented)), bytes.subarray(0, cut)]),
        bytes.subarray(cut),
      ]),
    ]);
    const message = (answer: string) =>
      (JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { message: unknown }).message;
    expect(whole).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.stringify(message(whole))).toContain('é');
    expect(message(split)).toEqual(message(whole));
  });

  it('answers exactly as the same routes on Fastify (inject goes to Fastify directly)', async () => {
    const first = await pantry
      .http()
      .post(IDENTIFY)
      .set('Host', 'pantry.test')
      .set('Origin', ORIGIN);
    const cookie = cookieHeader(first);
    const shapes: Array<{ url: string; headers: Record<string, string>; payload?: string }> = [
      { url: IDENTIFY, headers: { cookie } },
      { url: IDENTIFY, headers: { cookie, origin: 'https://evil.test' } },
      { url: IDENTIFY, headers: { 'x-unblu-cookie': cookie } },
      { url: '/unblu/v1/identify?x-unblu-apikey=nope-nope-nope', headers: { cookie } },
      {
        url: CONSENT,
        headers: { cookie, 'content-type': 'application/json' },
        payload: '{"granted":false}',
      },
      {
        url: CONSENT,
        headers: { cookie, 'content-type': 'application/json' },
        payload: '{"granted":"yes"}',
      },
      { url: CONSENT, headers: { cookie, 'content-type': 'application/json' }, payload: '[' },
      { url: `/unblu/v1/inspect?x-unblu-apikey=${KEY}`, headers: { cookie } },
    ];
    for (const shape of shapes) {
      const headers = { origin: ORIGIN, 'x-request-id': 'trace-0123456789', ...shape.headers };
      // Cookie expiry is to the second: the two answers are compared from within one second.
      let viaFastify, viaDispatcher, second;
      do {
        second = Math.floor(Date.now() / 1000);
        viaFastify = await pantry.app.inject({
          method: 'POST',
          ...shape,
          headers: { host: 'pantry.test', ...headers },
        });
        viaDispatcher = await raw('POST', shape.url, headers, shape.payload);
      } while (Math.floor(Date.now() / 1000) !== second);
      expect(viaDispatcher.taken).toBe(true);
      expect(viaDispatcher.status).toBe(viaFastify.statusCode);
      expect(JSON.parse(viaDispatcher.body)).toEqual(JSON.parse(viaFastify.body));
      // The connection's own headers differ (inject has no socket); everything else is equal.
      const strip = (h: Record<string, unknown>) =>
        Object.fromEntries(
          Object.entries(h).filter(([k]) => !['date', 'connection', 'keep-alive'].includes(k)),
        );
      expect(strip(viaDispatcher.headers)).toEqual(strip(viaFastify.headers));
    }
  });
});
