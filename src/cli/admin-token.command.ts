import { Command } from 'commander';
import { displayPath } from '../properties/configuration.reader';
import { readSecretsFile, readSecretsTable, secretsLocation } from '../secrets/secrets.service';
import { openExistingDatabase } from './cli-database';
import { CONFIG_OPTION, readConfiguration } from './cli-config';
import { CliIo } from './cli-io';

export const ADMIN_TOKEN_EXIT = { printed: 0, none: 1, usage: 2 } as const;

/** The admin token in force, where it comes from, as SecretsService chooses it. */
async function adminToken(io: CliIo, options: { config?: string }): Promise<number> {
  const { env, configuration } = readConfiguration(io, options.config, ADMIN_TOKEN_EXIT.usage);
  const print = (token: string, from: string) => {
    io.out(`${token}\n`);
    io.err(`admin token: ${from}\n`);
    return ADMIN_TOKEN_EXIT.printed;
  };
  if (env.PANTRY_ADMIN_TOKEN)
    return print(env.PANTRY_ADMIN_TOKEN, 'from the environment (PANTRY_ADMIN_TOKEN)');
  const props = configuration.app;
  const configured = props.values['admin.token'];
  if (configured) {
    const origin = props.origins['admin.token'];
    return print(configured, `from the configuration (admin.token, ${origin.file}:${origin.line})`);
  }
  const url = props.values['database.url'];
  const location = secretsLocation(url);
  if (location.kind === 'file') {
    const token = readSecretsFile(location.path).adminToken;
    if (token) return print(token, `generated, kept in ${displayPath(location.path)}`);
  } else if (location.kind === 'table') {
    const opened = await openExistingDatabase(url);
    if (!opened.ok) {
      io.err(`cannot read the generated admin token: ${opened.reason}\n`);
      return ADMIN_TOKEN_EXIT.none;
    }
    try {
      const token = (
        await readSecretsTable(opened.dataSource).catch(() => ({ adminToken: undefined }))
      ).adminToken;
      if (token) return print(token, 'generated, kept in the database (table shared_secrets)');
    } finally {
      await opened.dataSource.destroy();
    }
  }
  io.err(
    location.kind === 'memory'
      ? 'no admin token: the database is in memory, so a generated one lives only in the running process; set PANTRY_ADMIN_TOKEN\n'
      : 'no admin token yet: Pantry generates one at its first start (or set PANTRY_ADMIN_TOKEN or admin.token)\n',
  );
  return ADMIN_TOKEN_EXIT.none;
}

export function adminTokenCommand(io: CliIo, done: (code: number) => void): Command {
  return new Command('admin-token')
    .summary('print the admin token in force and where it comes from')
    .description(
      'Print the admin token in force (on stdout) and where it comes from (on stderr): PANTRY_ADMIN_TOKEN, admin.token, or generated (data/secrets.json on SQLite, the database on PostgreSQL).',
    )
    .option(...CONFIG_OPTION)
    .addHelpText('after', '\nExit status: 0 printed, 1 no token yet, 2 configuration problems.')
    .action(async (options: { config?: string }) => done(await adminToken(io, options)));
}
