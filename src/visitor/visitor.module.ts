import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { BridgeModule } from '../bridge/bridge.module';
import { SnippetService } from './snippet.service';
import { VisitorAccountResolver } from './visitor-account.resolver';
import { VisitorRoutes } from './visitor.routes';
import { VisitorService } from './visitor.service';

/** The visitor API (routes mounted on Fastify by VisitorRoutes). */
@Module({
  imports: [BridgeModule, AuthModule],
  providers: [VisitorService, SnippetService, VisitorAccountResolver, VisitorRoutes],
  exports: [VisitorService],
})
export class VisitorModule {}
