import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from '../common/error-response';
import { validateBody } from '../common/validate-body';
import { CookiePlanService } from '../cookies/cookie-plan.service';
import { ConfigurationService } from '../properties/configuration.service';
import { ConsentDto } from './consent.dto';
import { SnippetService } from './snippet.service';
import { VisitorAccountResolver } from './visitor-account.resolver';
import { visitorRequest } from './visitor-request';
import { VisitorResponse, VisitorService } from './visitor.service';

const id = { type: 'string' };
const nullableId = { type: ['string', 'null'] };

/** The identify answer (SPEC §5), compiled by Fastify into a serializer. */
const IDENTIFY_SCHEMA = {
  response: {
    200: {
      type: 'object',
      additionalProperties: false,
      required: ['account', 'visitorId', 'deviceId', 'sessionId', 'consent', 'issued'],
      properties: {
        account: id,
        visitorId: nullableId,
        deviceId: nullableId,
        sessionId: id,
        consent: { type: 'string', enum: ['granted', 'denied', 'unset'] },
        issued: { type: 'array', items: id },
      },
    },
  },
};

/**
 * The visitor API, under `server.publicPathPrefix` (default /unblu). It sits on every page view
 * of every account, so its routes are mounted on Fastify directly: Nest's per-request pipeline
 * (guards, pipes, interceptors, response mapping) cost a third of identify's throughput
 * (docs/BENCHMARKS.md). The handlers stay thin: resolve the account, make one service call,
 * send its VisitorResponse. Errors go through the same mapping as Nest's filter.
 */
@Injectable()
export class VisitorRoutes implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly configuration: ConfigurationService,
    private readonly plans: CookiePlanService,
    private readonly accounts: VisitorAccountResolver,
    private readonly visitors: VisitorService,
    private readonly snippets: SnippetService,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify) return;
    const base = this.configuration.startup['server.publicPathPrefix'];
    const errorHandler = (error: unknown, request: FastifyRequest, reply: FastifyReply) =>
      sendError(error, request, reply);
    const route = (
      method: 'GET' | 'POST' | 'OPTIONS',
      path: string,
      handle: (request: FastifyRequest) => VisitorResponse,
      schema?: object,
    ) =>
      fastify.route({
        method,
        url: `${base}${path}`,
        schema,
        errorHandler,
        handler: (request, reply) => {
          const response = handle(request);
          return reply.code(response.status).headers(response.headers).send(response.body);
        },
      });
    const read = (request: FastifyRequest) => visitorRequest(request, this.plans.serverPrefix);

    route(
      'POST',
      '/v1/identify',
      (r) => this.visitors.identify(this.accounts.require(r), read(r)),
      IDENTIFY_SCHEMA,
    );
    route(
      'POST',
      '/v1/consent',
      (r) => {
        const account = this.accounts.require(r);
        const { granted } = validateBody(ConsentDto, r.body);
        return this.visitors.consent(account, read(r), granted);
      },
      IDENTIFY_SCHEMA,
    );
    route('POST', '/v1/inspect', (r) => this.visitors.inspect(this.accounts.require(r), read(r)));
    route('GET', '/visitor.js', (r) =>
      this.snippets.serve(this.accounts.require(r), r.headers['if-none-match']),
    );
    // Preflights: the key, when the URL carries it, picks the account's allowlist.
    for (const path of ['/v1/identify', '/v1/consent', '/v1/inspect']) {
      route('OPTIONS', path, (r) => this.visitors.preflight(this.accounts.find(r), read(r)));
    }
  }
}
