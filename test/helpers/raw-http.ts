import { Agent, IncomingHttpHeaders, request as httpRequest } from 'node:http';
import { connect } from 'node:net';

export interface RawAnswer {
  /** The final status (after any 1xx). */
  readonly status: number;
  /** The 1xx statuses received before it. */
  readonly interim: number[];
  /** The final answer's header names in lower case → values (repeated ones joined by ", "). */
  readonly headers: Record<string, string>;
  readonly body: string;
  /** Everything the server wrote. */
  readonly text: string;
}

/**
 * One request written byte for byte on a fresh connection (clients normalise request targets
 * and Host; this does not): `head` is sent as given; `body`, when given, after the server's
 * `100 Continue` if `waitForContinue`, else at once. Resolves when the server closes the
 * connection or, for an answer with Content-Length, once the body is complete.
 */
export function rawRequest(
  port: number,
  head: string,
  options: { body?: string; waitForContinue?: boolean; timeoutMs?: number } = {},
): Promise<RawAnswer> {
  return new Promise((resolve) => {
    let data = Buffer.alloc(0);
    let done = false;
    let bodySent = options.body === undefined;
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(head, 'latin1');
      if (!options.waitForContinue && options.body !== undefined) {
        socket.write(options.body);
        bodySent = true;
      }
    });
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const { status, interim, headers, body, text } = parse(data.toString('latin1'));
      resolve({ status, interim, headers, body, text });
    };
    const timer = setTimeout(finish, options.timeoutMs ?? 5000);
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      const answer = parse(data.toString('latin1'));
      if (!bodySent && answer.interim.includes(100)) {
        socket.write(options.body!);
        bodySent = true;
      }
      const length = answer.headers['content-length'];
      const complete =
        length !== undefined
          ? Buffer.byteLength(answer.body, 'latin1') >= Number(length)
          : answer.headers['transfer-encoding'] === 'chunked' && answer.complete;
      if (answer.status >= 200 && complete) finish();
    });
    socket.on('close', finish);
    socket.on('error', finish);
  });
}

/** A chunked body's data, and whether its last chunk arrived. */
function dechunk(raw: string): { body: string; complete: boolean } {
  let body = '';
  let at = 0;
  for (;;) {
    const eol = raw.indexOf('\r\n', at);
    if (eol < 0) return { body, complete: false };
    const size = parseInt(raw.slice(at, eol), 16);
    if (Number.isNaN(size)) return { body, complete: false };
    if (size === 0) return { body, complete: true };
    body += raw.slice(eol + 2, eol + 2 + size);
    at = eol + 2 + size + 2;
  }
}

function parse(text: string): RawAnswer & { complete: boolean } {
  const interim: number[] = [];
  let rest = text;
  for (;;) {
    const m = /^HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n/.exec(rest);
    const end = rest.indexOf('\r\n\r\n');
    if (!m || end < 0) return { status: 0, interim, headers: {}, body: '', text, complete: false };
    const status = Number(m[1]);
    const headers: Record<string, string> = {};
    for (const line of rest.slice(m[0].length, end).split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    rest = rest.slice(end + 4);
    if (status >= 200) {
      if (headers['transfer-encoding'] !== 'chunked') {
        return { status, interim, headers, body: rest, text, complete: false };
      }
      return { status, interim, headers, text, ...dechunk(rest) };
    }
    interim.push(status);
  }
}

/** An answer read whole: its status, its headers, its body as JSON (`{}` when it is not). */
export interface AgentAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly json: Record<string, unknown>;
}

/**
 * One request through a Node `Agent` (keep-alive connections as a real client holds them):
 * `body`, when given, is sent as JSON. Rejects on a network error or after `timeoutMs`.
 */
export function agentRequest(
  agent: Agent,
  url: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    body?: unknown;
    timeoutMs?: number;
  } = {},
): Promise<AgentAnswer> {
  const text = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: options.method ?? 'GET',
        agent,
        timeout: options.timeoutMs ?? 30_000,
        headers: {
          ...options.headers,
          ...(text === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }),
        },
      },
      (res) => {
        let raw = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (raw += c));
        res.on('end', () => {
          let json: Record<string, unknown> = {};
          try {
            json = JSON.parse(raw) as Record<string, unknown>;
          } catch {
            // not JSON (a proxy's own error page): the status says enough
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, json });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('client timeout')));
    req.on('error', reject);
    req.end(text);
  });
}
