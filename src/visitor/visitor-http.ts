import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import type { TLSSocket } from 'node:tls';
import { errorResponse } from '../http/error-response';
import { memoised } from '../common/memo';
import { isJsonContentType, JsonTextParser, readJsonBody } from '../http/json-body';
import { requestId } from '../http/request-id';
import { inRequest } from '../logging/request-context';
import type { RouteSeries } from '../metrics/metrics.service';
import type { VisitorHttpRequest } from './visitor-request';
import type { VisitorResponse } from './visitor.responder';

const JSON_TYPE = 'application/json; charset=utf-8';

/** Sends a VisitorResponse on node's response, as a bare node:http server would. */
export function writeResponse(raw: ServerResponse, response: VisitorResponse, id: string): void {
  const { status, headers, body } = response;
  if (body === undefined) {
    raw.writeHead(status, { ...headers, 'x-request-id': id }).end();
    return;
  }
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  raw
    .writeHead(status, {
      'content-type': JSON_TYPE,
      ...headers,
      'x-request-id': id,
      'content-length': Buffer.byteLength(text),
    })
    .end(text);
}

/**
 * Called once per answered request (the access log): route template, status, the body and the
 * outcome code the handler gave, and when the request arrived (`performance.now()`).
 */
export type AnsweredHook = (
  request: VisitorHttpRequest,
  route: string,
  status: number,
  body: unknown,
  outcome: string | undefined,
  started: number,
) => void;

export type VisitorHandler = (
  request: VisitorHttpRequest,
) => VisitorResponse | Promise<VisitorResponse>;

interface Route {
  readonly template: string;
  readonly handle: VisitorHandler;
  readonly series: RouteSeries | null;
}

interface Request extends VisitorHttpRequest {
  body?: unknown;
}

const NO_QUERY = Object.freeze({});
/**
 * Parsed query strings, shared (frozen): every visitor of a site sends the same one (its API
 * key), and parsing it was a few percent of identify.
 */
const queries = new Map<string, Readonly<Record<string, unknown>>>();
const MAX_QUERIES = 4096;
/** Longer ones are parsed each time: the memo holds at most 4096 × 256 characters. */
const MAX_MEMOISED_QUERY = 256;
const query = (text: string) =>
  text.length > MAX_MEMOISED_QUERY
    ? parseQuery(text)
    : memoised(queries, text, () => Object.freeze(parseQuery(text)), MAX_QUERIES);

/**
 * The visitor API's own dispatcher, in front of Fastify on the same server. The visitor routes
 * answer every page view of every site; Fastify's per-request work for them (its request and
 * reply objects, router, hooks — Nest's adapter adds four global ones) was a quarter of
 * identify's time (docs/BENCHMARKS.md). This takes the requests it can answer exactly as the
 * same routes on Fastify would — a route's method and path, no body or a JSON body with a
 * length — and leaves everything else to Fastify, where the same handlers are registered too:
 * chunked or non-JSON bodies (Fastify's 413/415), other methods and paths (404), and every
 * request once the server is closing (Fastify's 503 and connection draining).
 */
export class VisitorDispatcher {
  /** path → method → route */
  private readonly routes = new Map<string, Map<string, Route>>();
  private closing = false;

  constructor(
    private readonly parseJson: JsonTextParser,
    private readonly bodyLimit: number,
    private readonly answered: AnsweredHook,
  ) {}

  add(method: string, template: string, handle: VisitorHandler, series: RouteSeries | null): void {
    let methods = this.routes.get(template);
    if (!methods) this.routes.set(template, (methods = new Map<string, Route>()));
    methods.set(method, { template, handle, series });
  }

  /**
   * Puts this dispatcher in front of the server's request listeners (Fastify's) and steps
   * aside when Fastify starts closing.
   */
  install(server: Server, onClose: (hook: () => void) => void): void {
    const behind = server.listeners('request') as Array<
      (req: IncomingMessage, res: ServerResponse) => void
    >;
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (this.take(req, res)) return;
      for (const listener of behind) listener.call(server, req, res);
    });
    onClose(() => (this.closing = true));
  }

  /** Answers the request when it is the dispatcher's to answer; false leaves it to Fastify. */
  take(req: IncomingMessage, res: ServerResponse): boolean {
    if (this.closing) return false;
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const route = this.routes.get(q < 0 ? url : url.slice(0, q))?.get(req.method ?? '');
    if (!route) return false;
    const headers = req.headers;
    const length = headers['content-length'];
    const type = headers['content-type'];
    const json = isJsonContentType(type);
    // Fastify's rules: a body is read when a length or chunked encoding is announced; with a
    // content type but neither, there is none. Only the cases Fastify would parse as JSON or
    // skip are taken here.
    if (headers['transfer-encoding'] !== undefined) return false;
    if (type === undefined ? length !== undefined && length !== '0' : !json) return false;
    const started = performance.now();
    const request: Request = {
      method: req.method as string,
      headers,
      query: q < 0 ? NO_QUERY : query(url.slice(q + 1)),
      protocol: (req.socket as TLSSocket).encrypted ? 'https' : 'http',
      id: requestId(headers['x-request-id']),
      body: undefined,
    };
    if (json && length !== undefined) {
      readJsonBody(req, this.bodyLimit, this.parseJson, (error, body) => {
        if (error) {
          this.fail(route, request, req, res, started, error);
          return;
        }
        request.body = body;
        this.run(route, request, req, res, started);
      });
    } else {
      this.run(route, request, req, res, started);
    }
    return true;
  }

  private run(
    route: Route,
    request: Request,
    req: IncomingMessage,
    res: ServerResponse,
    started: number,
  ): void {
    let response: VisitorResponse | Promise<VisitorResponse>;
    try {
      response = route.handle(request);
    } catch (error) {
      this.fail(route, request, req, res, started, error);
      return;
    }
    if (response instanceof Promise) {
      response.then(
        (answer) => this.send(route, request, req, res, started, answer),
        (error: unknown) => this.fail(route, request, req, res, started, error),
      );
    } else {
      this.send(route, request, req, res, started, response);
    }
  }

  private send(
    route: Route,
    request: Request,
    req: IncomingMessage,
    res: ServerResponse,
    started: number,
    response: VisitorResponse,
  ): void {
    try {
      writeResponse(res, response, request.id);
    } catch (error) {
      this.fail(route, request, req, res, started, error);
      return;
    }
    route.series?.observe(response.status, (performance.now() - started) / 1000);
    this.answered(
      request,
      route.template,
      response.status,
      response.body,
      response.outcome,
      started,
    );
  }

  /** The shared error mapping (errorResponse), written on node's response. */
  private fail(
    route: Route,
    request: Request,
    req: IncomingMessage,
    res: ServerResponse,
    started: number,
    error: unknown,
  ): void {
    const where = { method: request.method, route: route.template };
    const { status, body } = inRequest(request.id, () => errorResponse(error, where));
    route.series?.observe(status, (performance.now() - started) / 1000);
    if (res.headersSent || res.destroyed) return;
    // A body left unread (too large) is not drained: the connection closes after the answer.
    const headers: Record<string, string> = req.complete ? {} : { connection: 'close' };
    writeResponse(res, { status, headers, body }, request.id);
    this.answered(request, route.template, status, body, undefined, started);
  }
}
