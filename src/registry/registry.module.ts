import { Global, Module } from '@nestjs/common';
import { VisitorRegistryService } from './visitor-registry.service';
import { VisitorRepository } from './visitor.repository';

@Global()
@Module({
  providers: [VisitorRegistryService, VisitorRepository],
  exports: [VisitorRegistryService, VisitorRepository],
})
export class RegistryModule {}
