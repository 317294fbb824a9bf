import type { PropertyValues } from '../properties/property-catalog';
import {
  createServer,
  IncomingMessage,
  OutgoingHttpHeader,
  OutgoingHttpHeaders,
  Server,
  ServerResponse,
} from 'node:http';

import { ErrorCode, ERROR_STATUS } from '../common/errors';
import { errorBody } from './error-response';
import { readRequestHead } from './request-target';

type Head = OutgoingHttpHeaders | OutgoingHttpHeader[];

interface HttpLimits {
  /** A request (headers and body) must arrive within this time, or it is answered 408 and closed. */
  readonly requestTimeoutMs: number;
  /** Open connections one client address may hold; 0 for no limit. */
  readonly maxConnectionsPerAddress: number;
}

/** The limits the server.* properties set, for every listener Pantry opens. */
export function httpLimits(
  values: Pick<PropertyValues, 'server.requestTimeoutSeconds' | 'server.maxConnectionsPerAddress'>,
): HttpLimits {
  return {
    requestTimeoutMs: values['server.requestTimeoutSeconds'] * 1000,
    maxConnectionsPerAddress: values['server.maxConnectionsPerAddress'],
  };
}

/** How often Node checks requests against the timeouts (its default, 30 s, would double them). */
const TIMEOUT_CHECK_INTERVAL_MS = 1_000;

/**
 * While a server closes, how often connections that turned idle are closed. Answers written
 * after closing began end their connection themselves (`Connection: close`); this catches the
 * few whose headers went out with keep-alive just before.
 */
const IDLE_SWEEP_MS = 100;

/** Servers made by createLimitedServer → whether they are closing. */
const closingState = new WeakMap<Server, { closing: boolean }>();

/** Servers made by createLimitedServer that are listening. */
const listening = new Set<Server>();

/** Every listener made by createLimitedServer that is open now (what a stopping node drains). */
export function listeningServers(): Server[] {
  return [...listening];
}

/**
 * The HTTP server under Fastify: a request that trickles in (slowloris, a body sent a byte at
 * a time) is cut off after `requestTimeoutMs`, and one address cannot hold more than
 * `maxConnectionsPerAddress` connections open at once (the excess is closed at once). Once
 * closing (drainServer), every answer it writes carries `Connection: close` and ends its
 * connection, whoever writes it (Fastify or the visitor API's own dispatcher).
 */
export function createLimitedServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  limits: HttpLimits,
): Server {
  const state = { closing: false };
  const server = createServer(
    {
      requestTimeout: limits.requestTimeoutMs,
      headersTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
      ServerResponse: closingAwareResponse(state),
    },
    handler,
  );
  closingState.set(server, state);
  admitHeads(server);
  server.on('listening', () => listening.add(server));
  server.on('close', () => listening.delete(server));
  server.keepAliveTimeout = 72_000;
  if (limits.maxConnectionsPerAddress > 0) {
    const open = new Map<string, number>();
    server.on('connection', (socket) => {
      const address = socket.remoteAddress ?? '';
      const count = (open.get(address) ?? 0) + 1;
      if (count > limits.maxConnectionsPerAddress) {
        socket.destroy();
        return;
      }
      open.set(address, count);
      socket.once('close', () => {
        const left = (open.get(address) ?? 1) - 1;
        if (left > 0) open.set(address, left);
        else open.delete(address);
      });
    });
  }
  return server;
}

/** The methods `OPTIONS *` names: what Pantry's routes and document mode take. */
const SERVER_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS';

/**
 * Checks every request's head (request-target.ts) before any `request` listener runs: the
 * visitor API's dispatcher puts itself in front of Fastify's listener, so the check sits in
 * the server's emit, where no listener can come before it. The usual request (a path, one
 * Host) costs a scan of its raw header names. An absolute-form target is rewritten to its
 * path and host; `OPTIONS *` and refused heads are answered here, as Node's parser answers
 * what it refuses (no route, so no access log line or metric).
 */
function admitHeads(server: Server): void {
  const emit = server.emit.bind(server) as (event: string | symbol, ...args: unknown[]) => boolean;
  server.emit = ((event: string | symbol, ...args: unknown[]): boolean =>
    event === 'request' && !admit(args[0] as IncomingMessage, args[1] as ServerResponse)
      ? true
      : emit(event, ...args)) as typeof server.emit;
}

function admit(req: IncomingMessage, res: ServerResponse): boolean {
  const head = readRequestHead(req.method ?? '', req.url ?? '', req.rawHeaders);
  switch (head.kind) {
    case 'pass':
      return true;
    case 'rewrite': {
      req.url = head.url;
      req.headers.host = head.host;
      const at = req.rawHeaders.findIndex((name, i) => i % 2 === 0 && /^host$/i.test(name));
      if (at >= 0) req.rawHeaders[at + 1] = head.host;
      return true;
    }
    case 'server-options':
      res.writeHead(200, { allow: SERVER_METHODS, 'content-length': '0' });
      res.end();
      return false;
    case 'refuse': {
      const status = ERROR_STATUS[ErrorCode.BadRequest];
      const body = JSON.stringify(errorBody(status, ErrorCode.BadRequest, head.message));
      res.shouldKeepAlive = false;
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
      });
      res.end(body);
      return false;
    }
  }
}

/**
 * Node's response, except that an answer whose head is written while the server closes is the
 * connection's last (`Connection: close`; Node then ends the connection once it is sent).
 * Every head goes through writeHead (an implicit one too), so one check covers every writer.
 */
function closingAwareResponse(state: { closing: boolean }): typeof ServerResponse {
  class ClosingAwareResponse extends ServerResponse {
    override writeHead(statusCode: number, statusMessage?: string, headers?: Head): this;
    override writeHead(statusCode: number, headers?: Head): this;
    override writeHead(statusCode: number, second?: string | Head, headers?: Head): this {
      if (state.closing) this.shouldKeepAlive = false;
      // Node's own reading of the arguments: a reason phrase, then headers in either place.
      return typeof second === 'string'
        ? super.writeHead(statusCode, second, headers)
        : super.writeHead(statusCode, headers ?? second);
    }
  }
  return ClosingAwareResponse as typeof ServerResponse;
}

/**
 * From now on, every answer `server` writes ends its connection (`Connection: close`), while it
 * keeps accepting: a draining node (http/shutdown.ts) still answers everything, and the clients
 * and proxies holding keep-alive connections to it open their next one elsewhere, each right
 * after an answer, never by racing a request against a close. Idle connections stay open (the
 * client decides when it is done with them); drainServer closes them later.
 */
export function closeConnectionsAfterAnswers(server: Server): void {
  const state = closingState.get(server);
  if (state) state.closing = true;
}

/** What closing a server left undone. */
interface Drained {
  /** Connections still busy at the deadline, closed before their answer was written. */
  readonly cut: number;
}

/**
 * Closes a server within `timeoutMs`: it stops accepting at once, closes idle keep-alive
 * connections at once and busy ones as soon as their answer is written (a server from
 * createLimitedServer writes those answers with `Connection: close`); whatever is still open
 * at the deadline (a client that never finishes its request) is closed unanswered. Node stops
 * its request timeouts once a server closes, so the deadline is what bounds a slow client.
 */
export function drainServer(server: Server, timeoutMs: number): Promise<Drained> {
  closeConnectionsAfterAnswers(server);
  return new Promise((resolve) => {
    let cut = 0;
    const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
    const deadline = setTimeout(() => {
      server.getConnections((_error, open) => {
        cut = open;
        server.closeAllConnections();
      });
    }, timeoutMs);
    // Node's close() also closes the idle connections; its callback runs once every connection
    // has ended (or at once, with an error, when the server was not listening).
    server.close(() => {
      clearInterval(sweep);
      clearTimeout(deadline);
      resolve({ cut });
    });
  });
}
