import { ValidationPipe } from '@nestjs/common';
import type { NestApplicationOptions } from '@nestjs/common';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setupAdminDocs } from './admin/admin.docs';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import { createLimitedServer } from './common/http-server';
import { registerJsonParser } from './common/json-body';
import { VALIDATION_OPTIONS } from './common/validate-body';
import { PropertyValues } from './properties/property-catalog';

/** The HTTP adapter: Fastify (measured ~3× Express on this workload, see README). */
export function createAdapter(
  values: Pick<PropertyValues, 'server.requestTimeoutSeconds' | 'server.maxConnectionsPerAddress'>,
): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: 64 * 1024,
    // Pantry uses no Nest middleware; middie would run on every request for nothing.
    skipMiddie: true,
    routerOptions: { maxParamLength: 200 },
    // Pantry reads X-Forwarded-* itself, only when server.trustProxy is set.
    trustProxy: false,
    serverFactory: (handler: (req: IncomingMessage, res: ServerResponse) => void) =>
      createLimitedServer(handler, {
        requestTimeoutMs: values['server.requestTimeoutSeconds'] * 1000,
        maxConnectionsPerAddress: values['server.maxConnectionsPerAddress'],
      }),
  });
}

/** Options of the Nest application (main.ts and the e2e tests): body parsing is Pantry's own. */
export const APP_OPTIONS = { bodyParser: false } satisfies NestApplicationOptions;

/** Everything main.ts and the e2e tests share: body parser, pipes, filters, API docs, shutdown hooks. */
export function configureApp(app: NestFastifyApplication): NestFastifyApplication {
  registerJsonParser(app.getHttpAdapter().getInstance());
  app.useGlobalFilters(new AllExceptionsFilter());
  app.useGlobalPipes(new ValidationPipe(VALIDATION_OPTIONS));
  setupAdminDocs(app);
  app.enableShutdownHooks();
  return app;
}
