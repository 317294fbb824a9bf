import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { CONSOLE_HEADERS, CONSOLE_PLACEHOLDER } from './console-page';

/**
 * The operator console at `/admin/` (SPEC §17), an operator route (SPEC §13: only on
 * `server.adminPort` when that is set, never through the proxy unless allowed: the hooks every
 * route gets in app.setup.ts). Mounted on Fastify directly because Nest drops a path's trailing
 * slash, and the console's page must be `/admin/` for its relative asset paths; `/admin`
 * redirects there. For now a placeholder page: the console's interface comes in a later change,
 * with the same headers.
 */
@Injectable()
export class ConsolePageRoutes implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify) return;
    fastify.get('/admin', (_request, reply) => reply.redirect('/admin/', 308));
    fastify.get('/admin/', (_request, reply) =>
      reply
        .headers(CONSOLE_HEADERS)
        .header('content-type', 'text/html; charset=utf-8')
        .send(CONSOLE_PLACEHOLDER),
    );
  }
}
