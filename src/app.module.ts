import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccountsModule } from './accounts/accounts.module';
import { serverEnv } from './config/server-env';
import { dataSourceOptions } from './database/database.options';
import { HealthModule } from './health/health.module';
import { AccountPropertiesModule } from './properties/account-properties.module';
import { ConfigurationService } from './properties/configuration.service';
import { PropertiesModule } from './properties/properties.module';
import { SecretsModule } from './secrets/secrets.module';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [serverEnv] }),
    PropertiesModule,
    TypeOrmModule.forRootAsync({
      inject: [ConfigurationService],
      useFactory: (config: ConfigurationService) =>
        dataSourceOptions(config.startup['database.url']),
    }),
    SecretsModule,
    AccountPropertiesModule,
    AccountsModule,
    HealthModule,
  ],
})
export class AppModule {}
