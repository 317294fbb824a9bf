import { Module } from '@nestjs/common';
import { ThrottlerStorageService } from '@nestjs/throttler';
import { AccessModule } from '../access/access.module';
import { AuditModule } from '../audit/audit.module';
import { AuthModule } from '../auth/auth.module';
import { BridgeModule } from '../bridge/bridge.module';
import { DatabaseModule } from '../database/database.module';
import { DrainingModule } from '../common/draining';
import { KeeperModule } from '../keeper/keeper.module';
import { MetricsModule } from '../metrics/metrics.module';
import { RegistryModule } from '../registry/registry.module';
import { SecretsModule } from '../secrets/secrets.module';
import { TenantsModule } from '../tenants/tenants.module';
import { AdminAccountsController } from './admin-accounts.controller';
import { HostResolver } from '../diagnostics/host-resolver';
import { AdminAuthGuard } from './admin-auth.guard';
import { AdminAuthenticator } from './admin-authenticator';
import { AdminSessionController } from './admin-session.controller';
import { AdminSessionService } from './admin-session.service';
import { ConsolePageRoutes } from './console-page.routes';
import { AdminStatusService } from './admin-status.service';
import { AdminCredentialsController } from './admin-credentials.controller';
import { AdminCustomersController } from './admin-customers.controller';
import { AdminDiagnosticsController } from './admin-diagnostics.controller';
import { AdminPropertiesController } from './admin-properties.controller';
import { AdminSystemController } from './admin-system.controller';
import { AdminVisitorsController } from './admin-visitors.controller';
import { AdminService } from './admin.service';

@Module({
  imports: [
    AccessModule,
    DatabaseModule,
    DrainingModule,
    AuthModule,
    BridgeModule,
    KeeperModule,
    MetricsModule,
    TenantsModule,
    AuditModule,
    RegistryModule,
    SecretsModule,
  ],
  controllers: [
    AdminAccountsController,
    AdminPropertiesController,
    AdminVisitorsController,
    AdminSystemController,
    AdminDiagnosticsController,
    AdminCustomersController,
    AdminCredentialsController,
    AdminSessionController,
  ],
  providers: [
    AdminService,
    AdminAuthenticator,
    AdminAuthGuard,
    AdminSessionService,
    AdminStatusService,
    ConsolePageRoutes,
    ThrottlerStorageService,
    HostResolver,
  ],
})
export class AdminModule {}
