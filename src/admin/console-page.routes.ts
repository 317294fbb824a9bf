import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { CONSOLE_FILES, consoleAssets } from '../console/console-assets';
import { CONSOLE_HEADERS } from './console-page';

/**
 * The operator console at `/admin/` (SPEC §17), an operator route (SPEC §13: only on
 * `server.adminPort` when that is set, never through the proxy unless allowed: the hooks every
 * route gets in app.setup.ts). Mounted on Fastify directly because Nest drops a path's trailing
 * slash, and the console's page must be `/admin/`; `/admin` redirects there. The page, its
 * script and its stylesheet (src/console, built into dist/console at `npm run build`) are
 * served on the same headers; any other path under `/admin/` is an unknown route.
 */
@Injectable()
export class ConsolePageRoutes implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify) return;
    fastify.get('/admin', (_request, reply) => reply.redirect('/admin/', 308));
    // Bundled at the first request (under ts-node; read from dist/console when built), so a
    // server that never serves the console never builds it.
    for (const name of Object.keys(CONSOLE_FILES)) {
      const path = name === 'index.html' ? '/admin/' : `/admin/${name}`;
      fastify.get(path, (_request, reply) => {
        const asset = consoleAssets().get(name)!;
        return reply.headers(CONSOLE_HEADERS).header('content-type', asset.type).send(asset.body);
      });
    }
  }
}
