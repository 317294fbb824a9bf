import { Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { describeDatabase } from './database-copy';
import { ConfigProblem, Configuration, formatProblem } from '../properties/configuration';
import { loadConfiguration } from '../properties/configuration.service';
import type { ServerEnv } from '../config/server-env';
import { displayPath } from '../properties/configuration.reader';
import {
  readSecretsFile,
  secretsLocation,
  sqliteSecretsPreflight,
} from '../secrets/secrets.service';
import { apiKeyConflicts } from '../tenants/tenant-snapshot';
import { openExistingDatabase } from './cli-database';
import { CONFIG_OPTION, readEnvironment } from './cli-config';
import { CliIo } from './cli-io';

/** Exit statuses of `pantry check` (SPEC §13). */
export const CHECK_EXIT = { valid: 0, problems: 1, cannotRun: 2 } as const;

/**
 * What would stop a start after the files validate: a generated-secrets file that does not
 * read, or a PostgreSQL node about to generate secrets beside a SQLite node's (SPEC §13).
 */
async function startRefusals(
  configuration: Configuration,
  env: ServerEnv,
): Promise<ConfigProblem[]> {
  const props = configuration.app;
  const location = secretsLocation(props.values['database.url']);
  if (location.kind === 'file') {
    try {
      readSecretsFile(location.path);
    } catch {
      return [
        {
          file: displayPath(location.path),
          line: 1,
          key: '(generated secrets)',
          message:
            'not valid JSON: Pantry would not start; restore it from a backup, or remove it to generate new secrets (every cookie issued so far would then be refused)',
        },
      ];
    }
  }
  const refusal = await sqliteSecretsPreflight(props.values, env);
  if (!refusal) return [];
  const origin = props.origins['database.url'];
  return [
    {
      file: origin.file ?? 'application.properties',
      line: origin.line ?? 1,
      key: 'database.url',
      message: refusal,
    },
  ];
}

async function check(io: CliIo, options: { config?: string }): Promise<number> {
  const env = readEnvironment(io, CHECK_EXIT.problems);
  const dir = resolve(options.config ?? env.PANTRY_CONFIG_DIR);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    io.err(`cannot check: ${dir} is not a directory (use --config DIR or PANTRY_CONFIG_DIR)\n`);
    return CHECK_EXIT.cannotRun;
  }
  const loaded = loadConfiguration(dir, { host: env.HOST, port: env.PORT });
  if (!loaded.ok) {
    io.out(loaded.problems.map((p) => `${formatProblem(p)}\n`).join(''));
    io.err(
      `${loaded.problems.length} problem(s): Pantry would not start with this configuration\n`,
    );
    return CHECK_EXIT.problems;
  }
  const { configuration } = loaded;
  const refusals = await startRefusals(configuration, env);
  if (refusals.length > 0) {
    io.out(refusals.map((p) => `${formatProblem(p)}\n`).join(''));
    io.err(`${refusals.length} problem(s): Pantry would not start\n`);
    return CHECK_EXIT.problems;
  }
  const url = configuration.app.values['database.url'];
  const opened = await openExistingDatabase(url);
  let checked = '';
  if (opened.ok) {
    try {
      const keys = await opened.dataSource
        .query<Array<{ key: string; accountId: string }>>(
          'SELECT "key", "accountId" FROM "api_keys"',
        )
        .catch(() => null);
      if (!keys) {
        io.out(
          `configuration valid: ${configuration.accounts.size} account file(s); ${describeDatabase(url)} holds no Pantry tables yet\n`,
        );
        return CHECK_EXIT.valid;
      }
      const problems = apiKeyConflicts(configuration, { keys });
      if (problems.length > 0) {
        io.out(problems.map((p) => `${formatProblem(p)}\n`).join(''));
        io.err(`${problems.length} problem(s) against ${describeDatabase(url)}\n`);
        return CHECK_EXIT.problems;
      }
      checked = `; API keys checked against ${describeDatabase(url)}`;
    } finally {
      await opened.dataSource.destroy();
    }
  } else {
    checked = `; API keys not checked against the database (${opened.reason})`;
  }
  io.out(`configuration valid: ${configuration.accounts.size} account file(s)${checked}\n`);
  return CHECK_EXIT.valid;
}

export function checkCommand(io: CliIo, done: (code: number) => void): Command {
  return new Command('check')
    .summary('validate the configuration as a start would (exit 0 valid, 1 problems, 2 cannot run)')
    .description(
      'Validate the configuration exactly as a start would, and API keys against the accounts created through the admin API when the database is reachable. Prints each problem as FILE:LINE: KEY: PROBLEM.',
    )
    .option(...CONFIG_OPTION)
    .addHelpText('after', '\nExit status: 0 valid, 1 problems, 2 cannot run.')
    .action(async (options: { config?: string }) => done(await check(io, options)));
}
