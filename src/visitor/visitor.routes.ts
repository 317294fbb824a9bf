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
import { VisitorHttpRequest, visitorRequest } from './visitor-request';
import { jsonTextParser } from '../http/json-body';
import { VisitorResponse, VisitorService } from './visitor.service';

/**
 * The visitor API, under `server.publicPathPrefix` (default /unblu). It sits on every page view
 * of every account, so its routes are mounted on Fastify directly: Nest's per-request pipeline
 * (guards, pipes, interceptors, response mapping) cost a third of identify's throughput
 * (docs/BENCHMARKS.md). The handlers stay thin: resolve the account, make one service call,
 * send its VisitorResponse. Errors go through the same mapping as Nest's filter. Each route is
 * registered twice: on the VisitorDispatcher, which answers before Fastify sees the request,
 * and on Fastify, which answers what the dispatcher leaves (see visitor-http.ts).
 */
@Injectable()
export class VisitorRoutes implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly configuration: ConfigurationService,
    private readonly tenants: TenantService,
    private readonly accounts: VisitorAccountResolver,
    private readonly visitors: VisitorService,
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
    const route = (method: 'GET' | 'POST' | 'OPTIONS', path: string, handle: VisitorHandler) => {
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
      // The snippet (GET) is cached by browsers and answers conditional requests: Fastify's.
      if (method !== 'GET') dispatcher.add(method, template, handle, series);
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
    const read = (request: VisitorHttpRequest) =>
      visitorRequest(request, this.tenants.serverPrefix);

    /** A POST route of an account; a key that names none is answered by noAccount. */
    const post = (
      path: string,
      handle: (
        account: VisitorAccount,
        r: VisitorHttpRequest,
      ) => VisitorResponse | Promise<VisitorResponse>,
    ) =>
      route('POST', path, (r) => {
        const account = this.accounts.find(r);
        return account
          ? handle(account, r)
          : this.visitors.noAccount(read(r), this.accounts.refusal(r));
      });
    // A bridge token is redeemed only here (and by a consent grant), by POST: a GET (a link
    // scanner, a prefetch) never can.
    post('/v1/identify', (account, r) => this.visitors.identify(account, read(r)));
    post('/v1/login', (account, r) => {
      const { assertion } = validateBody(LoginDto, r.body);
      return this.visitors.login(account, read(r), assertion);
    });
    post('/v1/logout', (account, r) => this.visitors.logout(account, read(r)));
    post('/v1/bridge', (account, r) => {
      const { to } = validateBody(BridgeDto, r.body);
      return this.visitors.bridge(account, read(r), to);
    });
    post('/v1/consent', (account, r) => {
      const { granted } = validateBody(ConsentDto, r.body);
      return this.visitors.consent(account, read(r), granted);
    });
    post('/v1/inspect', (account, r) => this.visitors.inspect(account, read(r)));
    const trustProxy = this.configuration.startup['server.trustProxy'];
    // A page must never lose window.pantry: a missing or unknown key gets the stand-in script.
    route('GET', '/visitor.js', (r) => {
      const account = this.accounts.find(r);
      if (!account) return this.snippets.standIn(this.accounts.refusal(r));
      return this.snippets.serve(
        account,
        r.headers['if-none-match'],
        publicBase(read(r), base, trustProxy),
      );
    });
    // Preflights: the key, when the URL carries it, picks the account's allowlist.
    for (const path of [
      '/v1/identify',
      '/v1/consent',
      '/v1/inspect',
      '/v1/bridge',
      '/v1/login',
      '/v1/logout',
    ]) {
      route('OPTIONS', path, (r) => this.visitors.preflight(this.accounts.find(r), read(r)));
    }
    dispatcher.install(fastify.server, (hook) =>
      fastify.addHook('preClose', (done) => {
        hook();
        done();
      }),
    );
  }
}
