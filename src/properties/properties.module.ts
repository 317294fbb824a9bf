import { Global, Module } from '@nestjs/common';
import { ConfigurationService } from './configuration.service';

/** The properties files: loading, validation, hot reload. Global: everything reads it. */
@Global()
@Module({
  providers: [ConfigurationService],
  exports: [ConfigurationService],
})
export class PropertiesModule {}
