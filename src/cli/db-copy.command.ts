import { Command } from 'commander';
import { CopyRefused, copyDatabase, describeDatabase } from './database-copy';
import { DatabaseUrl, InvalidPropertyValue, parseDatabaseUrl } from '../properties/property-values';
import { CONFIG_OPTION, readConfiguration } from './cli-config';
import { CliExit, CliIo } from './cli-io';

export const DB_COPY_EXIT = { copied: 0, failed: 1 } as const;

interface CopyOptions {
  to: string;
  from?: string;
  config?: string;
}

function parseUrl(io: CliIo, option: string, raw: string): DatabaseUrl {
  try {
    return parseDatabaseUrl(raw);
  } catch (e) {
    if (!(e instanceof InvalidPropertyValue)) throw e;
    io.err(`${option}: ${e.message}\n`);
    throw new CliExit(DB_COPY_EXIT.failed);
  }
}

async function copy(io: CliIo, options: CopyOptions): Promise<number> {
  const to = parseUrl(io, '--to', options.to);
  const from = options.from
    ? parseUrl(io, '--from', options.from)
    : readConfiguration(io, options.config, DB_COPY_EXIT.failed).configuration.app.values[
        'database.url'
      ];
  io.err(`copying ${describeDatabase(from)} to ${describeDatabase(to)}…\n`);
  try {
    const report = await copyDatabase(from, to);
    const width = Math.max(...report.tables.map((t) => t.table.length), 'secrets'.length);
    io.out(
      [
        `copied ${report.from} to ${report.to}; row counts verified:`,
        ...report.tables.map((t) => `  ${t.table.padEnd(width)}  ${t.rows}`),
        `  ${'secrets'.padEnd(width)}  ${report.secrets.names.length}${report.secrets.names.length ? ` (${report.secrets.names.join(', ')}; kept in ${report.secrets.where})` : ''}`,
        '',
      ].join('\n'),
    );
    return DB_COPY_EXIT.copied;
  } catch (e) {
    if (e instanceof CopyRefused) {
      io.err(`refused: ${e.message}\n`);
    } else {
      // Driver errors name the failing statement's code and message, never its parameters.
      const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
      io.err(`the copy failed, nothing was committed to ${describeDatabase(to)}: ${message}\n`);
    }
    return DB_COPY_EXIT.failed;
  }
}

export function dbCommand(io: CliIo, done: (code: number) => void): Command {
  const copyCommand = new Command('copy')
    .summary('copy everything to an empty database, SQLite to PostgreSQL or back')
    .description(
      'Copy everything Pantry stores (accounts, API keys, overrides, erasures, visitors, links, sessions, tokens, audit, generated secrets) from the configured database to an empty one, SQLite to PostgreSQL or back; then verify the row counts. Stop every node first.',
    )
    .requiredOption(
      '--to <url>',
      'the empty target: postgres://user:password@host:port/db or sqlite:PATH',
    )
    .option('--from <url>', "the source (default: the configuration's database.url)")
    .option(...CONFIG_OPTION)
    .addHelpText('after', '\nExit status: 0 copied and verified, 1 refused or failed.')
    .action(async (options: CopyOptions) => done(await copy(io, options)));
  return new Command('db')
    .description("operations on Pantry's database: db copy")
    .addCommand(copyCommand);
}
