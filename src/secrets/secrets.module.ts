import { Module } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { DataSource } from 'typeorm';
import { serverEnv } from '../config/server-env';
import { ConfigurationService } from '../properties/configuration.service';
import { SecretsService } from './secrets.service';

/** The node's shared secrets (signing and encryption keys, the admin token). */
@Module({
  providers: [
    {
      provide: SecretsService,
      inject: [ConfigurationService, serverEnv.KEY, DataSource],
      useFactory: (
        config: ConfigurationService,
        env: ConfigType<typeof serverEnv>,
        dataSource: DataSource,
      ) => SecretsService.create(config.startup, env, dataSource),
    },
  ],
  exports: [SecretsService],
})
export class SecretsModule {}
