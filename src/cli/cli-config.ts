import { resolve } from 'node:path';
import { ServerEnv, validateServerEnv } from '../config/server-env';
import { Configuration, formatProblem } from '../properties/configuration';
import { loadConfiguration } from '../properties/configuration.service';
import { CliExit, CliIo } from './cli-io';

/** `--config DIR`, shared by every command that reads the configuration. */
export const CONFIG_OPTION = [
  '--config <dir>',
  'the configuration directory (default: PANTRY_CONFIG_DIR, else ./config)',
] as const;

/** The environment as a start validates it; its problems end the command with `code`. */
export function readEnvironment(io: CliIo, code: number): ServerEnv {
  try {
    return validateServerEnv(io.env);
  } catch (e) {
    io.err(`${(e as Error).message}\n`);
    throw new CliExit(code);
  }
}

/**
 * The configuration exactly as a start loads it (the same environment, directory and listen
 * address); its problems, one `FILE:LINE: KEY: PROBLEM` per line, end the command with `code`.
 */
export function readConfiguration(
  io: CliIo,
  configDir: string | undefined,
  code: number,
): { env: ServerEnv; configuration: Configuration } {
  const env = readEnvironment(io, code);
  const loaded = loadConfiguration(resolve(configDir ?? env.PANTRY_CONFIG_DIR), {
    host: env.HOST,
    port: env.PORT,
  });
  if (!loaded.ok) {
    io.err(loaded.problems.map((p) => `${formatProblem(p)}\n`).join(''));
    throw new CliExit(code);
  }
  return { env, configuration: loaded.configuration };
}
