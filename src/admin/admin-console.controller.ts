import { Controller, Get, Redirect, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiExcludeController } from '@nestjs/swagger';
import { consoleAssets } from '../console/console-assets';
import { CONSOLE_HEADERS } from './console-page';

/**
 * The operator console at `/admin/` (SPEC §17), an operator route (SPEC §13: only on
 * `server.adminPort` when that is set, never through the proxy unless allowed): its page, script
 * and stylesheet (src/console, built into dist/console at `npm run build`), on these headers.
 */
@ApiExcludeController()
@Controller()
export class AdminConsoleController {
  @Get('/admin')
  @Redirect('/admin/', 308)
  root(): void {}

  /**
   * `/admin/` (the page) and the console's assets beneath it (`/admin/app.js`, `/admin/app.css`).
   * Fastify prefers every static route (the API, the docs) to this one; any other path under
   * `/admin` gets the answer of an unknown route.
   */
  @Get('/admin/*')
  page(@Req() request: FastifyRequest, @Res() reply: FastifyReply): void {
    const name = request.url.split('?')[0].slice('/admin/'.length) || 'index.html';
    const asset = consoleAssets().get(name);
    if (!asset) return reply.callNotFound();
    void reply.headers(CONSOLE_HEADERS).header('content-type', asset.type).send(asset.body);
  }
}
