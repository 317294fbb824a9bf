import { DynamicModule, Global, Module } from '@nestjs/common';
import { Configuration } from './configuration';
import { ConfigurationService, INITIAL_CONFIGURATION } from './configuration.service';

/** The properties files: loading, validation, hot reload. Global: everything reads it. */
@Global()
@Module({})
export class PropertiesModule {
  /** With the configuration already loaded at start (it is not read twice). */
  static forRoot(initial: Configuration): DynamicModule {
    return {
      module: PropertiesModule,
      providers: [{ provide: INITIAL_CONFIGURATION, useValue: initial }, ConfigurationService],
      exports: [ConfigurationService],
    };
  }
}
