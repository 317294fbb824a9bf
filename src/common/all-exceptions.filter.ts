import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PantryException } from './pantry.exception';

/** Machine codes for Nest's built-in HTTP exceptions. */
function codeFor(status: number): string {
  const name = HttpStatus[status] as string | undefined;
  return name ? name.toLowerCase() : 'error';
}

function messageOf(body: unknown, fallback: string): string {
  if (typeof body === 'object' && body !== null && 'message' in body) {
    const m = body.message;
    if (Array.isArray(m)) return m.map(String).join('; ');
    if (typeof m === 'string') return m;
  }
  return typeof body === 'string' ? body : fallback;
}

/**
 * The one place errors become HTTP answers: `{"statusCode","error","message"}`. Unknown errors
 * are 500 with a correlation id, logged with their stack; request data is never logged.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    // Errors are JSON, whatever the route meant to answer (HTML, JavaScript).
    const reply = host
      .switchToHttp()
      .getResponse<FastifyReply>()
      .header('content-type', 'application/json; charset=utf-8');
    if (exception instanceof PantryException) {
      void reply.status(exception.getStatus()).send(exception.getResponse());
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      void reply.status(status).send({
        statusCode: status,
        error: codeFor(status),
        message: messageOf(exception.getResponse(), exception.message),
      });
      return;
    }
    // Fastify's own client errors (malformed JSON, body too large, bad content type).
    const fastifyStatus = (exception as { statusCode?: unknown })?.statusCode;
    if (typeof fastifyStatus === 'number' && fastifyStatus >= 400 && fastifyStatus < 500) {
      void reply.status(fastifyStatus).send({
        statusCode: fastifyStatus,
        error: codeFor(fastifyStatus),
        message: (exception as Error).message,
      });
      return;
    }
    const id = randomUUID();
    this.logger.error(
      `unexpected error ${id} on ${request.method} ${request.routeOptions?.url ?? '(unrouted)'}`,
      exception instanceof Error ? exception.stack : String(exception),
    );
    void reply.status(500).send({
      statusCode: 500,
      error: 'internal_error',
      message: `Something went wrong on our side; quote ${id} when reporting it.`,
    });
  }
}
