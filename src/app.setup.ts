import { ValidationPipe } from '@nestjs/common';
import type { NestApplicationOptions } from '@nestjs/common';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type {
  FastifyError,
  FastifyReply,
  FastifyRequest,
  onResponseHookHandler,
  onSendHookHandler,
} from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setupAdminDocs } from './admin/admin.docs';
import { csrfHookFor } from './admin/admin-authenticator';
import { CUSTOMER_ID_MAX_ENCODED_LENGTH, CUSTOMER_ID_MAX_LENGTH } from './auth/customer-id';
import { AllExceptionsFilter } from './http/all-exceptions.filter';
import { createLimitedServer, httpLimits } from './http/http-server';
import { OperatorRoutes } from './http/operator-routes';
import { registerJsonParser } from './http/json-body';
import { VALIDATION_OPTIONS } from './http/validate-body';
import {
  ANSWER_CODE,
  AnsweredRequest,
  sendError,
  setErrorCounter,
  setUnroutedHook,
} from './http/error-response';
import { ErrorCode, PantryError } from './common/errors';
import { AccessLogService } from './http/access-log';
import { requestId, routeLabel } from './http/request-id';
import { MetricsService } from './metrics/metrics.service';
import { ConfigurationService } from './properties/configuration.service';
import { PropertyValues } from './properties/property-catalog';

/** The HTTP adapter: Fastify (measured ~3× Express on this workload, see README). */
export function createAdapter(
  values: Pick<PropertyValues, 'server.requestTimeoutSeconds' | 'server.maxConnectionsPerAddress'>,
): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: 64 * 1024,
    // Pantry uses no Nest middleware; middie would run on every request for nothing.
    skipMiddie: true,
    // The longest path parameter is a customer id: every valid one, however it is
    // percent-encoded, reaches its route, whose validation answers the invalid ones.
    routerOptions: { maxParamLength: CUSTOMER_ID_MAX_ENCODED_LENGTH },
    // The router's own refusals (a parameter longer still, a malformed escape) answered like
    // every other error: Pantry's JSON, a 400, counted and logged as unrouted.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      sendError(error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? paramTooLong() : error, request, reply);
    },
    // Pantry reads X-Forwarded-* itself, only when server.trustProxy is set.
    trustProxy: false,
    // A well-formed incoming X-Request-Id is kept (a proxy's trace), anything else replaced.
    genReqId: (req: IncomingMessage) => requestId(req.headers['x-request-id']),
    serverFactory: (handler: (req: IncomingMessage, res: ServerResponse) => void) =>
      createLimitedServer(handler, httpLimits(values)),
  });
}

function paramTooLong(): PantryError {
  return new PantryError(
    ErrorCode.PathParameterTooLong,
    `A path segment is longer than any id Pantry accepts (the longest, a customer id, is at most ${CUSTOMER_ID_MAX_LENGTH} characters, ${CUSTOMER_ID_MAX_ENCODED_LENGTH} percent-encoded).`,
  );
}

/** Options of the Nest application (main.ts and the e2e tests): body parsing is Pantry's own. */
export const APP_OPTIONS = { bodyParser: false } satisfies NestApplicationOptions;

/**
 * Everything main.ts and the e2e tests share: body parser, pipes, filters, API docs. Signals
 * are main.ts's (http/shutdown.ts: the HTTP server drains first, within the grace).
 */
export function configureApp(app: NestFastifyApplication): NestFastifyApplication {
  const fastify = app.getHttpAdapter().getInstance();
  registerJsonParser(fastify);
  // Every route but the visitor API's gets, when it is registered: the request id sent back,
  // the answer counted. The visitor routes (every page view of every site) do the same in
  // their own handler, without hooks per request. Log lines written while answering carry the
  // id where they are written (see logging/request-context.ts).
  const metrics = app.get(MetricsService);
  const sendRequestId: onSendHookHandler = (request, reply, payload, done) => {
    void reply.header('x-request-id', request.id);
    done(null, payload);
  };
  const count: onResponseHookHandler = (request, reply, done) => {
    metrics.observeRequest(
      routeLabel(request),
      request.method,
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  };
  // The access log (server.accessLog): the code an error answer carried, else the status's.
  const access = app.get(AccessLogService);
  const logAccess: onResponseHookHandler = (request, reply, done) => {
    const route = routeLabel(request);
    // Document mode logs its own answers (a proxied path may match an operator route's).
    if (route === '(document mode)') return done();
    access.answered(
      request,
      route,
      reply.statusCode,
      performance.now() - reply.elapsedTime,
      undefined,
      (request as AnsweredRequest)[ANSWER_CODE],
    );
    done();
  };
  setUnroutedHook((request, status, code, ms) =>
    access.answered(request, '(unrouted)', status, performance.now() - ms, undefined, code),
  );
  const add = (existing: unknown, hook: unknown): unknown[] =>
    existing === undefined
      ? [hook]
      : [...(Array.isArray(existing) ? (existing as unknown[]) : [existing]), hook];
  // Operator routes (admin API and docs, /metrics, the demo) off the public path (SPEC §13).
  const configuration = app.get(ConfigurationService);
  const operator = new OperatorRoutes({
    startup: configuration.startup,
    viaProxyAllowed: () => configuration.configuration.app.values['server.operatorRoutesViaProxy'],
  });
  fastify.addHook('onReady', () => operator.open(fastify));
  fastify.addHook('onClose', () => operator.close());
  fastify.addHook('onRoute', (options) => {
    const route = options as unknown as {
      url: string;
      config?: { visitorApi?: boolean };
      onRequest?: unknown;
      onSend?: unknown;
      onResponse?: unknown;
    };
    const guard = operator.hookFor(route.url, route.config?.visitorApi === true);
    if (guard) route.onRequest = add(route.onRequest, guard);
    // The console session's CSRF token, checked before a body is read (admin API routes).
    const csrf = csrfHookFor(route.url);
    if (csrf) route.onRequest = add(route.onRequest, csrf);
    if (route.config?.visitorApi) return;
    route.onSend = add(route.onSend, sendRequestId);
    if (metrics.enabled) route.onResponse = add(route.onResponse, count);
    route.onResponse = add(route.onResponse, logAccess);
  });
  // Errors answered outside those hooks (the visitor routes', unrouted requests') are counted
  // where they are answered.
  if (metrics.enabled) {
    setErrorCounter((request, status) =>
      metrics.observeRequest(routeLabel(request), request.method, status, 0),
    );
  }
  app.useGlobalFilters(new AllExceptionsFilter());
  app.useGlobalPipes(new ValidationPipe(VALIDATION_OPTIONS));
  setupAdminDocs(app);
  return app;
}
