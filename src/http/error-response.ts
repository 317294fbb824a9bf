import { HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { inRequest } from '../logging/request-context';
import { ErrorCode, ERROR_STATUS, PantryError } from '../common/errors';
import { ROUTE_LABEL } from './request-id';

/** What every error answer carries: `{"statusCode","error","message", ...details}`. */
type ErrorBody = Record<string, unknown> & {
  readonly statusCode: number;
  readonly error: string;
  readonly message: string;
};

/**
 * The one shape of every error body Pantry writes, `{"statusCode","error","message"}` and the
 * error's details after them (an invalid configuration's `problems`).
 */
export function errorBody(
  status: number,
  code: string,
  message: string,
  details?: Readonly<Record<string, unknown>>,
): ErrorBody {
  return { statusCode: status, error: code, message, ...details };
}

/**
 * The machine code of a status without a domain code, its name (`not_found`,
 * `service_unavailable`; `http_499` for a status without one): error bodies and the access log.
 */
export function codeFor(status: number): string {
  const name = HttpStatus[status] as string | undefined;
  return name ? name.toLowerCase() : `http_${status}`;
}

function messageOf(body: unknown, fallback: string): string {
  if (typeof body === 'object' && body !== null && 'message' in body) {
    const m = body.message;
    if (Array.isArray(m)) return m.map(String).join('; ');
    if (typeof m === 'string') return m;
  }
  return typeof body === 'string' ? body : fallback;
}

const logger = new Logger('Errors');

/**
 * The one mapping from errors to HTTP answers, `{"statusCode","error","message"}`: domain
 * errors (PantryError) get their code's status (ERROR_STATUS) and keep their code; Nest's and
 * Fastify's client errors get the status name; anything else is a 500 with a correlation id,
 * logged with its stack (request data is never logged).
 */
export function errorResponse(
  exception: unknown,
  where: { readonly method: string; readonly route: string },
): { status: number; body: ErrorBody } {
  if (exception instanceof PantryError) {
    const status = ERROR_STATUS[exception.code];
    return {
      status,
      body: errorBody(status, exception.code, exception.message, exception.details),
    };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    return {
      status,
      body: errorBody(
        status,
        codeFor(status),
        messageOf(exception.getResponse(), exception.message),
      ),
    };
  }
  // Fastify's own client errors (malformed JSON, body too large, bad content type).
  const fastifyStatus = (exception as { statusCode?: unknown } | null)?.statusCode;
  if (typeof fastifyStatus === 'number' && fastifyStatus >= 400 && fastifyStatus < 500) {
    return {
      status: fastifyStatus,
      body: errorBody(fastifyStatus, codeFor(fastifyStatus), (exception as Error).message),
    };
  }
  const id = randomUUID();
  logger.error(
    `unexpected error ${id} on ${where.method} ${where.route}`,
    exception instanceof Error ? exception.stack : String(exception),
  );
  const status = ERROR_STATUS[ErrorCode.InternalError];
  return {
    status,
    body: errorBody(
      status,
      ErrorCode.InternalError,
      `Something went wrong on our side; quote ${id} when reporting it.`,
    ),
  };
}

type ErrorCounter = (request: FastifyRequest, status: number) => void;
let countError: ErrorCounter | null = null;

/** The machine code an error answer carried, left on the request for the access log. */
export const ANSWER_CODE = Symbol('pantry.answerCode');
export type AnsweredRequest = FastifyRequest & { [ANSWER_CODE]?: string };

type UnroutedHook = (request: FastifyRequest, status: number, code: string, ms: number) => void;
let unroutedAnswered: UnroutedHook | null = null;

/** The access log's hook for requests no route answers (no route hook sees them; set at start). */
export function setUnroutedHook(hook: UnroutedHook | null): void {
  unroutedAnswered = hook;
}

/** The metrics' hook for errors answered where no route hook counts them (set at start). */
export function setErrorCounter(counter: ErrorCounter | null): void {
  countError = counter;
}

/**
 * Sends an error as JSON, whatever the route meant to answer (HTML, JavaScript); returns what
 * was sent.
 */
export function sendError(
  exception: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
): { status: number; body: ErrorBody } {
  const where = { method: request.method, route: request.routeOptions?.url ?? '(unrouted)' };
  const { status, body } = inRequest(request.id, () => errorResponse(exception, where));
  // Routes registered with hooks count themselves; the visitor API's and unrouted requests not.
  const config = request.routeOptions?.config as { visitorApi?: boolean } | undefined;
  const documentMode = (request as FastifyRequest & { [ROUTE_LABEL]?: string })[ROUTE_LABEL];
  if (
    countError &&
    !documentMode &&
    (request.routeOptions?.url === undefined || config?.visitorApi)
  ) {
    countError(request, status);
  }
  const code = body.error;
  (request as AnsweredRequest)[ANSWER_CODE] = code;
  if (unroutedAnswered && !documentMode && request.routeOptions?.url === undefined) {
    unroutedAnswered(request, status, code, reply.elapsedTime);
  }
  void reply
    .status(status)
    .header('content-type', 'application/json; charset=utf-8')
    .header('x-request-id', request.id)
    .send(body);
  return { status, body };
}
