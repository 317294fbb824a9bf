import { Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module';
import { SecretsModule } from '../secrets/secrets.module';
import { TenantsModule } from '../tenants/tenants.module';
import { VisitorModule } from '../visitor/visitor.module';
import { DocumentProxy } from './document-proxy';

/** Document mode: Pantry as the reverse proxy in front of an account's site. */
@Module({
  imports: [VisitorModule, TenantsModule, MetricsModule, SecretsModule],
  providers: [DocumentProxy],
})
export class ProxyModule {}
