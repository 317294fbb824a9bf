import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from './accounts/accounts.module';
import { AdminModule } from './admin/admin.module';
import { AuditModule } from './audit/audit.module';
import { serverEnv } from './config/server-env';
import { CookiesModule } from './cookies/cookies.module';
import { connectDataSource, dataSourceOptions } from './database/database.options';
import { DemoModule } from './demo/demo.module';
import { HealthModule } from './health/health.module';
import { LoggingModule } from './logging/logging.module';
import { AccountPropertiesModule } from './properties/account-properties.module';
import { Configuration, ConfigurationError } from './properties/configuration';
import { ConfigurationService, loadConfiguration } from './properties/configuration.service';
import { PropertiesModule } from './properties/properties.module';
import { ProxyModule } from './proxy/proxy.module';
import { RegistryModule } from './registry/registry.module';
import { MetricsModule } from './metrics/metrics.module';
import { SecretsModule } from './secrets/secrets.module';
import { TenantsModule } from './tenants/tenants.module';
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
            toRetry: () => false,
          }),
          dataSourceFactory: (options) => connectDataSource(options!),
        }),
        MetricsModule,
        LoggingModule,
        SecretsModule,
        TenantsModule,
        AccountPropertiesModule,
        RegistryModule,
        CookiesModule,
        AccountsModule,
        AuditModule,
        HealthModule,
        AdminModule,
        DemoModule,
        VisitorModule,
        ProxyModule,
      ],
    };
  }

  /** Loads the configuration from a directory; throws ConfigurationError listing every problem. */
  static fromConfigDir(configDir: string): DynamicModule {
    const loaded = loadConfiguration(configDir);
    if (!loaded.ok) throw new ConfigurationError(loaded.problems);
    return AppModule.forRoot(loaded.configuration);
  }
}
