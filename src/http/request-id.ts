import type { FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';

const WELL_FORMED = /^[A-Za-z0-9._:-]{8,128}$/;

/** The request id: a well-formed incoming `X-Request-Id` (a proxy's trace id), else a new UUID. */
export function requestId(header: string | string[] | undefined): string {
  const given = Array.isArray(header) ? header[0] : header;
  return given !== undefined && WELL_FORMED.test(given) ? given : randomUUID();
}

/** A label a request carries for metrics when its route template is not what it is (document mode). */
export const ROUTE_LABEL = Symbol('pantry.routeLabel');

/** The route template of a request (never the raw URL: it would carry ids and tokens). */
export function routeLabel(request: FastifyRequest): string {
  const own = (request as FastifyRequest & { [ROUTE_LABEL]?: string })[ROUTE_LABEL];
  return own ?? request.routeOptions?.url ?? '(unrouted)';
}
