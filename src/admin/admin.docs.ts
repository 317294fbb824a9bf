import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AdminModule } from './admin.module';

/** OpenAPI documentation of the admin API at /admin/docs (JSON at /admin/docs-json). */
export function setupAdminDocs(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Pantry admin API')
    .setDescription(
      // Markdown: the header in a code span, or `<admin token>` is read as an HTML tag and vanishes.
      'Accounts, API keys, effective properties and overrides, configuration reload, visitor records and erasure, audit log. ' +
        'Authenticate with `Authorization: Bearer <admin token>`, or with an account credential (`pty_…`) on the routes of its account that its role may call (`x-pantry-roles` on each route). Errors are `{"statusCode","error","message"}`.',
    )
    .setVersion('1')
    // Not addBearerAuth(): it declares bearerFormat JWT, and the admin token is an opaque string.
    .addSecurity('bearer', {
      type: 'http',
      scheme: 'bearer',
      description:
        'The admin token (`PANTRY_ADMIN_TOKEN`, `admin.token`, or generated at first start), or an account credential (`pty_…`): an opaque string, not a JWT.',
    })
    // The operator console's session (SPEC §17): every route takes it instead of the header.
    .addSecurity('cookie', {
      type: 'apiKey',
      in: 'cookie',
      name: 'pantry-console',
      description:
        'The console session from `POST /admin/v1/session`; a POST, PUT, PATCH or DELETE made with it carries the session’s CSRF token in `x-pantry-csrf`.',
    })
    .build();
  const document = SwaggerModule.createDocument(app, config, { include: [AdminModule] });
  SwaggerModule.setup('admin/docs', app, document);
}
