import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AdminModule } from './admin/admin.module';
import { serverEnv } from './config/server-env';
import { connectDataSource, dataSourceOptions } from './database/database.options';
import { DemoModule } from './demo/demo.module';
import { HealthModule } from './health/health.module';
import { AccessLogModule } from './http/access-log.module';
import { CloseHttpFirst } from './http/close-http-first';
import { MetricsServer } from './http/metrics.server';
import { Configuration } from './properties/configuration';
import { ConfigurationService } from './properties/configuration.service';
import { PropertiesModule } from './properties/properties.module';
import { ProxyModule } from './proxy/proxy.module';
import { MetricsModule } from './metrics/metrics.module';
import { VisitorModule } from './visitor/visitor.module';

@Module({})
export class AppModule {
  /**
   * The application for a loaded configuration: routes depend on IMMUTABLE properties
   * (`server.publicPathPrefix`), so they are fixed when the module is built.
   */
  static forRoot(configuration: Configuration): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [serverEnv] }),
        PropertiesModule.forRoot(configuration),
        TypeOrmModule.forRootAsync({
          inject: [ConfigurationService],
          // connectDataSource retries what may heal, one line per attempt; Nest's retries are off.
          useFactory: (config: ConfigurationService) => ({
            ...dataSourceOptions(config.startup['database.url']),
            // Each feature module registers its entities (TypeOrmModule.forFeature).
            autoLoadEntities: true,
            toRetry: () => false,
          }),
          dataSourceFactory: (options) => connectDataSource(options!),
        }),
        MetricsModule,
        AccessLogModule,
        HealthModule,
        AdminModule,
        DemoModule,
        VisitorModule,
        ProxyModule,
      ],
      // The metrics listener (server.metricsPort), beside the application's own; the HTTP server
      // closed before the features' last flushes (a root provider's shutdown hook runs first).
      providers: [CloseHttpFirst, MetricsServer],
    };
  }
}
