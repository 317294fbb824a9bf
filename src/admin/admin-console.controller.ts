import { Controller, Get, Redirect, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiExcludeController } from '@nestjs/swagger';
import { CONSOLE_HEADERS, CONSOLE_PLACEHOLDER } from './console-page';

/**
 * The operator console at `/admin/` (SPEC §17), an operator route (SPEC §13: only on
 * `server.adminPort` when that is set, never through the proxy unless allowed). For now a
 * placeholder page: the console's interface comes in a later change, on these same headers.
 */
@ApiExcludeController()
@Controller()
export class AdminConsoleController {
  @Get('/admin')
  @Redirect('/admin/', 308)
  root(): void {}

  /**
   * `/admin/` and, later, the console's assets beneath it. Fastify prefers every static route
   * (the API, the docs) to this one; any other path under `/admin` gets the answer of an unknown
   * route.
   */
  @Get('/admin/*')
  page(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    if (request.url.split('?')[0] !== '/admin/') return reply.callNotFound();
    void reply
      .headers(CONSOLE_HEADERS)
      .header('content-type', 'text/html; charset=utf-8')
      .send(CONSOLE_PLACEHOLDER);
  }
}
