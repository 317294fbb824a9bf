import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AdminModule } from './admin.module';

/** OpenAPI documentation of the admin API at /admin/docs (JSON at /admin/docs-json). */
export function setupAdminDocs(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Pantry admin API')
    .setDescription(
      'Accounts, API keys, effective properties and overrides, configuration reload, visitor records and erasure, audit log. ' +
        'Authenticate with "Authorization: Bearer <admin token>". Errors are {"statusCode","error","message"}.',
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
  const document = SwaggerModule.createDocument(app, config, { include: [AdminModule] });
  SwaggerModule.setup('admin/docs', app, document);
}
