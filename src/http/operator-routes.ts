import { Logger } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { IncomingHttpHeaders, IncomingMessage, Server } from 'node:http';
import type { PropertyValues } from '../properties/property-catalog';
import { createLimitedServer, httpLimits } from './http-server';

/**
 * Who a route is for (SPEC §13). `operator`: the admin API and its documentation, the console
 * (all under `/admin`), `/metrics` and the demo; `health`: load balancers' and orchestrators'
 * probes, on every listener; `public`: the visitor API and anything else visitors reach.
 */
type RouteAudience = 'operator' | 'health' | 'public';

/** The demo's routes (src/demo): exact paths, the demo lives at the root. */
const DEMO_PATHS = new Set(['/', '/favicon.ico']);

const under = (path: string, base: string) => path === base || path.startsWith(`${base}/`);

export function routeAudience(path: string): RouteAudience {
  if (under(path, '/health')) return 'health';
  if (under(path, '/admin') || under(path, '/metrics') || DEMO_PATHS.has(path)) return 'operator';
  return 'public';
}

/** A request a proxy forwarded: it announced the public prefix or host it was reached at. */
export function cameThroughProxy(headers: IncomingHttpHeaders): boolean {
  return headers['x-forwarded-prefix'] !== undefined || headers['x-forwarded-host'] !== undefined;
}

/** Marks the requests that arrived on the operator listener (`server.adminPort`). */
const ON_ADMIN_LISTENER = Symbol('pantry.adminListener');

type Marked = IncomingMessage & { [ON_ADMIN_LISTENER]?: true };

interface OperatorRouteSettings {
  readonly startup: Pick<
    PropertyValues,
    | 'server.adminPort'
    | 'server.adminHost'
    | 'server.trustProxy'
    | 'server.requestTimeoutSeconds'
    | 'server.maxConnectionsPerAddress'
    | 'server.publicPathPrefix'
    | 'server.metricsPort'
  >;
  /** `server.operatorRoutesViaProxy` as it stands now (GLOBAL: hot-reloaded). */
  readonly viaProxyAllowed: () => boolean;
}

/**
 * Keeps the operator routes off the public path. With `server.adminPort`, a listener of its
 * own serves them (and health), and the main port answers them exactly as an unknown route;
 * without it, under `server.trustProxy`, an operator route reached through the proxy answers
 * the same 404 unless `server.operatorRoutesViaProxy`. The checks are route hooks on the
 * operator routes (and, with an admin port, on the others): nothing runs per request on the
 * visitor API's own dispatcher.
 */
export class OperatorRoutes {
  private readonly logger = new Logger('Pantry');
  private readonly paths = new Set<string>();
  private server?: Server;

  constructor(private readonly settings: OperatorRouteSettings) {}

  private get adminPort(): number | null {
    return this.settings.startup['server.adminPort'];
  }

  /**
   * The hook a route gets, by its audience; null when it needs none. The visitor API's routes
   * are public whatever `server.publicPathPrefix` they live under.
   */
  hookFor(path: string, visitorApi = false): onRequestHookHandler | null {
    this.paths.add(path);
    const audience = visitorApi ? 'public' : routeAudience(path);
    if (audience === 'health') return null;
    if (this.adminPort !== null) {
      const wanted = audience === 'operator';
      return (request, reply, done) =>
        onAdminListener(request) === wanted ? done() : notFound(reply);
    }
    if (audience === 'public' || !this.settings.startup['server.trustProxy']) return null;
    return (request, reply, done) =>
      cameThroughProxy(request.headers) && !this.settings.viaProxyAllowed()
        ? notFound(reply)
        : done();
  }

  /** Opens the operator listener, when `server.adminPort` is set; logs the routes line. */
  async open(fastify: FastifyInstance): Promise<void> {
    const port = this.adminPort;
    const host = this.settings.startup['server.adminHost'];
    if (port !== null) {
      const server = createLimitedServer((req, res) => {
        (req as Marked)[ON_ADMIN_LISTENER] = true;
        fastify.routing(req, res);
      }, httpLimits(this.settings.startup));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
      this.server = server;
    }
    this.logger.log(this.summary(port === null ? null : `http://${urlHost(host)}:${port}`));
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), 2_000).unref();
    });
  }

  /** One start-up line for every route (Nest's own lines, one per route, are not written). */
  summary(adminUrl: string | null): string {
    const prefix = this.settings.startup['server.publicPathPrefix'];
    const metricsPort = this.settings.startup['server.metricsPort'];
    const families: Array<[string, (p: string) => boolean]> = [
      [`visitor API at ${prefix}`, (p) => under(p, prefix)],
      ['admin API at /admin/v1', (p) => under(p, '/admin/v1')],
      ['admin docs at /admin/docs', (p) => p.startsWith('/admin/docs')],
      ['metrics at /metrics', (p) => p === '/metrics'],
      ['health at /health', (p) => under(p, '/health')],
      ['demo at /', (p) => DEMO_PATHS.has(p)],
      ['console at /admin/', (p) => p === '/admin' || p === '/admin/'],
    ];
    const seen = new Set<string>();
    const others = new Set<string>();
    for (const path of this.paths) {
      const family = families.find(([, test]) => test(path));
      if (family) seen.add(family[0]);
      else others.add(path);
    }
    const parts = families.map(([name]) => name).filter((name) => seen.has(name));
    if (metricsPort !== 0) parts.push(`metrics on port ${metricsPort}`);
    if (others.size) parts.push(`also ${[...others].sort().join(', ')}`);
    const where =
      adminUrl !== null
        ? `; operator routes only on ${adminUrl}`
        : !this.settings.startup['server.trustProxy']
          ? ''
          : this.settings.viaProxyAllowed()
            ? '; operator routes also through the proxy (server.operatorRoutesViaProxy)'
            : '; operator routes answer 404 through the proxy';
    return `routes: ${parts.join(', ')}${where}`;
  }
}

function onAdminListener(request: FastifyRequest): boolean {
  return (request.raw as Marked)[ON_ADMIN_LISTENER] === true;
}

/** The answer of an unknown route (Nest's not-found handler): nothing tells the route exists. */
function notFound(reply: FastifyReply): void {
  reply.callNotFound();
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}
