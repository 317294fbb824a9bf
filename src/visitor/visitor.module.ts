import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { BridgeModule } from '../bridge/bridge.module';
import { CookiesModule } from '../cookies/cookies.module';
import { KeeperModule } from '../keeper/keeper.module';
import { MetricsModule } from '../metrics/metrics.module';
import { RegistryModule } from '../registry/registry.module';
import { TenantsModule } from '../tenants/tenants.module';
import { SnippetService } from './snippet.service';
import { VisitorAccountResolver } from './visitor-account.resolver';
import { VisitorRoutes } from './visitor.routes';
import { LoginService } from './login.service';
import { VisitKeeper } from './visit-keeper';
import { ConsentMetrics } from './consent-metrics';
import { VisitService } from './visit.service';
import { VisitorResponder } from './visitor.responder';
import { VisitorService } from './visitor.service';

/** The visitor API (routes mounted on Fastify by VisitorRoutes). */
@Module({
  imports: [
    BridgeModule,
    AuthModule,
    KeeperModule,
    TenantsModule,
    CookiesModule,
    RegistryModule,
    MetricsModule,
  ],
  providers: [
    VisitService,
    ConsentMetrics,
    VisitKeeper,
    VisitorService,
    LoginService,
    VisitorResponder,
    SnippetService,
    VisitorAccountResolver,
    VisitorRoutes,
  ],
  exports: [VisitorService, VisitorResponder],
})
export class VisitorModule {}
