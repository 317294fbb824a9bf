import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from '../http/error-response';
import { validateBody } from '../http/validate-body';
import { AccessLogService } from '../http/access-log';
import { MetricsService } from '../metrics/metrics.service';
import { ConfigurationService } from '../properties/configuration.service';
import { LoginDto } from '../auth/login.dto';
import { BridgeDto } from '../bridge/bridge.dto';
import { ConsentDto } from './consent.dto';
import { SnippetService } from './snippet.service';
import { VisitorAccountResolver } from './visitor-account.resolver';
import { TenantService, VisitorAccount } from '../tenants/tenant.service';
import { publicBase } from './public-base';
import { AnsweredHook, VisitorDispatcher, VisitorHandler, writeResponse } from './visitor-http';
import { VisitorHttpRequest, VisitorRequest, visitorRequest } from './visitor-request';
import { jsonTextParser } from '../http/json-body';
import { single } from '../http/forwarded';
import { EDGE_URI_HEADER, underPath } from '../vocabulary/edge';
import { AcceptedVerdict } from './cross-origin';
import { LoginService } from './login.service';
import { refusal, VisitorOutcome } from './visitor-outcome';
import { ORIGIN_REFUSAL, REFUSED, VisitorResponder, VisitorResponse } from './visitor.responder';
import { VisitorService } from './visitor.service';

/**
 * The visitor API, under `server.publicPathPrefix` (default /unblu). It sits on every page view
 * of every account, so its routes are mounted on Fastify directly: Nest's per-request pipeline
 * (guards, pipes, interceptors, response mapping) cost a third of identify's throughput
 * (docs/BENCHMARKS.md). The handlers stay thin: resolve the account, pass the one origin gate,
 * make one service call and render its decision (VisitorResponder). Errors go through the same
 * mapping as Nest's filter. Each route is registered twice: on the VisitorDispatcher, which
 * answers before Fastify sees the request, and on Fastify, which answers what the dispatcher
 * leaves (see visitor-http.ts).
 */
@Injectable()
export class VisitorRoutes implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly configuration: ConfigurationService,
    private readonly tenants: TenantService,
    private readonly accounts: VisitorAccountResolver,
    private readonly visitors: VisitorService,
    private readonly logins: LoginService,
    private readonly responder: VisitorResponder,
    private readonly snippets: SnippetService,
    private readonly metrics: MetricsService,
    private readonly access: AccessLogService,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify) return;
    const base = this.configuration.startup['server.publicPathPrefix'];
    // The access log names the account by the request's API key (only for lines it writes).
    const accountOf = (r: VisitorHttpRequest) => this.accounts.accountIdOf(r);
    const answered: AnsweredHook = (r, template, status, body, outcome, started) =>
      this.access.answered(r, template, status, started, body, outcome, accountOf);
    const dispatcher = new VisitorDispatcher(
      jsonTextParser(fastify),
      fastify.initialConfig.bodyLimit ?? 1024 * 1024,
      answered,
    );
    const route = (
      method: 'GET' | 'POST' | 'OPTIONS',
      path: string,
      handle: VisitorHandler,
      // The snippet (GET) is cached by browsers and answers conditional requests: Fastify's.
      dispatched = method !== 'GET',
    ) => {
      const template = `${base}${path}`;
      const errorHandler = (error: unknown, request: FastifyRequest, reply: FastifyReply) => {
        const sent = sendError(error, request, reply);
        answered(
          request,
          template,
          sent.status,
          sent.body,
          undefined,
          performance.now() - reply.elapsedTime,
        );
      };
      const series = this.metrics.enabled ? this.metrics.series(template, method) : null;
      if (dispatched) dispatcher.add(method, template, handle, series);
      fastify.route({
        method,
        url: template,
        errorHandler,
        // No per-route hooks (see configureApp): the handler sends the request id and counts.
        config: { visitorApi: true },
        handler: (request, reply) => {
          const started = performance.now();
          // Written straight to the socket like a bare node:http server: the answer is complete
          // here, and Fastify's reply pipeline (hooks, serialisers) measured 8% of identify.
          const send = (response: VisitorResponse) => {
            reply.hijack();
            writeResponse(reply.raw, response, request.id);
            series?.observe(response.status, (performance.now() - started) / 1000);
            answered(request, template, response.status, response.body, response.outcome, started);
          };
          const response = handle(request);
          // Only the calls that write (a bridge token) wait for the database.
          if (response instanceof Promise) return response.then(send);
          send(response);
        },
      });
    };
    const trustProxy = this.configuration.startup['server.trustProxy'];
    const read = (request: VisitorHttpRequest) =>
      visitorRequest(request, this.tenants.serverPrefix, trustProxy);

    // The account's POST routes, each also answering its preflight. A key that names no
    // account is answered by noAccount; then the body is checked, then the one origin gate.
    // A bridge token is redeemed only by POST (identify, a consent grant): a GET (a link
    // scanner, a prefetch) never can.
    for (const { path, parse, act } of this.routes()) {
      route('POST', path, (r) => {
        const account = this.accounts.find(r);
        const req = read(r);
        if (!account) {
          return this.responder.noAccount(
            this.visitors.unnamedVerdict(req),
            this.accounts.refusal(r),
          );
        }
        const args = parse(r);
        const verdict = this.visitors.gate(account, req);
        if (verdict.kind === 'refused') return REFUSED;
        const outcome = act(account, req, verdict, args);
        return outcome instanceof Promise
          ? outcome.then((decided) => this.responder.render(account, verdict, decided))
          : this.responder.render(account, verdict, outcome);
      });
      // The key, when the URL carries it, picks the account's allowlist.
      route('OPTIONS', path, (r) =>
        this.responder.preflight(this.visitors.gate(this.accounts.find(r), read(r))),
      );
    }
    // keep.js (SPEC §14): identify as a script loaded before the analytics SDKs. A refusal is
    // a script too (it sets nothing); only a same-site answer keeps cookies (VisitKeeper).
    route('GET', '/v1/keep.js', (r) => {
      const account = this.accounts.find(r);
      if (!account) return this.responder.keepScript(null, null, refusal(this.accounts.refusal(r)));
      const req = read(r);
      const verdict = this.visitors.gate(account, req);
      if (verdict.kind === 'refused') {
        return this.responder.keepScript(account, null, refusal(ORIGIN_REFUSAL));
      }
      const outcome = this.visitors.keepScript(account, req, verdict);
      return outcome instanceof Promise
        ? outcome.then((decided) => this.responder.keepScript(account, verdict, decided))
        : this.responder.keepScript(account, verdict, outcome);
    });
    // Edge mode (SPEC §16): the site's own proxy asks for a document's cookies (nginx
    // auth_request). The account is the one whose proxy.hosts names the page's host; a URI under
    // Pantry's own path is not a document of the site. Dispatched: it answers every page view.
    route(
      'GET',
      '/v1/edge',
      (r) => {
        const req = read(r);
        const account = this.accounts.byProxiedHost(req.host);
        if (!account) return this.responder.edgeRefusal(this.accounts.hostRefusal(req.host));
        if (underPath(single(r.headers[EDGE_URI_HEADER]), base)) {
          return this.responder.edge(account, null);
        }
        const visit = this.visitors.document(account, req);
        return visit instanceof Promise
          ? visit.then((decided) => this.responder.edge(account, decided))
          : this.responder.edge(account, visit);
      },
      true,
    );
    // A page must never lose window.pantry: a missing or unknown key gets the stand-in script.
    route('GET', '/visitor.js', (r) => {
      const account = this.accounts.find(r);
      if (!account) return this.snippets.standIn(this.accounts.refusal(r));
      return this.snippets.serve(
        account,
        r.headers['if-none-match'],
        publicBase(r.headers, r.protocol, base, trustProxy),
      );
    });
    dispatcher.install(fastify.server, (hook) =>
      fastify.addHook('preClose', (done) => {
        hook();
        done();
      }),
    );
  }

  /** The visitor API's account routes: each parses its body, then acts once the gate let it in. */
  private routes(): ReadonlyArray<VisitorRoute<unknown>> {
    const visitors = this.visitors;
    const logins = this.logins;
    return [
      visitorRoute('/v1/identify', noBody, (account, req, verdict) =>
        visitors.identify(account, req, verdict),
      ),
      visitorRoute(
        '/v1/consent',
        (r) => validateBody(ConsentDto, r.body).granted,
        (account, req, verdict, granted) => visitors.consent(account, req, verdict, granted),
      ),
      visitorRoute('/v1/inspect', noBody, (account, req) => visitors.inspect(account, req)),
      visitorRoute(
        '/v1/bridge',
        (r) => validateBody(BridgeDto, r.body).to,
        (account, req, verdict, to) => visitors.bridge(account, req, verdict, to),
      ),
      visitorRoute(
        '/v1/login',
        (r) => validateBody(LoginDto, r.body).assertion,
        (account, req, _verdict, assertion) => logins.login(account, req, assertion),
      ),
      visitorRoute('/v1/logout', noBody, (account, req) => logins.logout(account, req)),
    ];
  }
}

/** A visitor API route of an account: its path, what it reads from the body, what it does. */
interface VisitorRoute<A> {
  readonly path: string;
  /** Checks and reads the body (throws the 400), before the origin gate as it always was. */
  readonly parse: (request: VisitorHttpRequest) => A;
  readonly act: (
    account: VisitorAccount,
    req: VisitorRequest,
    verdict: AcceptedVerdict,
    args: A,
  ) => VisitorOutcome | Promise<VisitorOutcome>;
}

const visitorRoute = <A>(
  path: string,
  parse: VisitorRoute<A>['parse'],
  act: VisitorRoute<A>['act'],
): VisitorRoute<unknown> => ({ path, parse, act }) as VisitorRoute<unknown>;

const noBody = (): undefined => undefined;
