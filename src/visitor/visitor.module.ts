import { DynamicModule, Module } from '@nestjs/common';
import { RouterModule } from '@nestjs/core';
import { AccountsModule } from '../accounts/accounts.module';
import { ApiKeyGuard } from './api-key.guard';
import { SnippetService } from './snippet.service';
import { VisitorController } from './visitor.controller';
import { VisitorService } from './visitor.service';

@Module({
  imports: [AccountsModule],
  controllers: [VisitorController],
  providers: [VisitorService, SnippetService, ApiKeyGuard],
})
export class VisitorModule {
  /** Mounts the visitor API under `server.publicPathPrefix` (IMMUTABLE, known before start). */
  static at(publicPathPrefix: string): DynamicModule {
    return {
      module: VisitorModule,
      imports: [RouterModule.register([{ path: publicPathPrefix, module: VisitorModule }])],
    };
  }
}
