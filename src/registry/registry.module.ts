import { Global, Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module';
import { VisitorRegistryService } from './visitor-registry.service';
import { VisitorRepository } from './visitor.repository';

@Global()
@Module({
  imports: [DatabaseModule],
  providers: [VisitorRegistryService, VisitorRepository],
  exports: [VisitorRegistryService, VisitorRepository],
})
export class RegistryModule {}
