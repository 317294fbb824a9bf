import 'reflect-metadata';
import { ConsoleLogger, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { resolve } from 'node:path';
import { AppModule } from './app.module';
import { APP_OPTIONS, configureApp, createAdapter } from './app.setup';
import { withoutStartupChatter } from './http/startup-log';
import { validateServerEnv } from './config/server-env';
import { formatProblem } from './properties/configuration';
import { consoleIsLog, JsonLogger } from './logging/json-logger';
import { loadConfiguration } from './properties/configuration.service';
import { stopWithinGrace } from './http/shutdown';
import { sqliteSecretsPreflight } from './secrets/secrets.service';

async function bootstrap(): Promise<void> {
  let env;
  try {
    env = validateServerEnv(process.env);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(1);
  }
  // Validate before Nest starts, so an operator reads every problem, one per line, and nothing else.
  const loaded = loadConfiguration(resolve(env.PANTRY_CONFIG_DIR), {
    host: env.HOST,
    port: env.PORT,
  });
  if (!loaded.ok) {
    process.stderr.write(
      `Pantry cannot start: the configuration has ${loaded.problems.length} problem(s):\n` +
        loaded.problems.map((p) => `${formatProblem(p)}\n`).join(''),
    );
    process.exit(1);
  }

  // A PostgreSQL node must not generate new secrets beside a SQLite node's (SPEC §13).
  const refusal = await sqliteSecretsPreflight(loaded.configuration.app.values, env);
  if (refusal) {
    process.stderr.write(`Pantry cannot start: ${refusal}\n`);
    process.exit(1);
  }

  const json = consoleIsLog(loaded.configuration.app.values);
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(loaded.configuration),
    createAdapter(loaded.configuration.app.values),
    {
      ...APP_OPTIONS,
      abortOnError: false,
      logger: withoutStartupChatter(json ? new JsonLogger() : new ConsoleLogger()),
    },
  );
  configureApp(app);
  await app.listen(env.PORT, env.HOST);
  new Logger('Pantry').log(`listening on ${await app.getUrl()}`);
  // SIGTERM / SIGINT: drain, stop accepting, flush, close the database, exit, within the grace
  // (SPEC §13, §18).
  stopWithinGrace(app, loaded.configuration.app.values);
}

bootstrap().catch((e: unknown) => {
  process.stderr.write(`Pantry failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
