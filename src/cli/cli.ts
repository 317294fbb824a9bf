import { Command, CommanderError } from 'commander';
import { ADMIN_TOKEN_EXIT, adminTokenCommand } from './admin-token.command';
import { CHECK_EXIT, checkCommand } from './check.command';
import { CliExit, CliIo, processIo } from './cli-io';
import { DB_COPY_EXIT, dbCommand } from './db-copy.command';
import { DOCTOR_EXIT, doctorCommand } from './doctor.command';

/** The status of a usage error (an unknown option, a missing value), per command (SPEC §13). */
const USAGE_EXIT: Record<string, number> = {
  pantry: 2,
  check: CHECK_EXIT.cannotRun,
  doctor: DOCTOR_EXIT.usage,
  db: DB_COPY_EXIT.failed,
  copy: DB_COPY_EXIT.failed,
  'admin-token': ADMIN_TOKEN_EXIT.usage,
};

/** Every command and subcommand of the program, for settings commander does not inherit. */
function eachCommand(command: Command, visit: (c: Command) => void): void {
  visit(command);
  command.commands.forEach((c) => eachCommand(c, visit));
}

/** The `pantry` program: its commands, help and exit statuses, writing through `io`. */
function buildProgram(io: CliIo, done: (code: number) => void): Command {
  const program = new Command('pantry')
    .description('Pantry, the first-party cookie server: operator commands')
    .addCommand(checkCommand(io, done))
    .addCommand(doctorCommand(io, done))
    .addCommand(dbCommand(io, done))
    .addCommand(adminTokenCommand(io, done))
    .addHelpText(
      'after',
      '\nRun "pantry <command> --help" for a command\'s options and exit status.',
    );
  eachCommand(program, (command) => {
    command
      .configureOutput({ writeOut: (t) => io.out(t), writeErr: (t) => io.err(t) })
      .showHelpAfterError('(add --help for usage)')
      .exitOverride((e: CommanderError) => {
        // --help answers 0; any other early end is a usage error of that command.
        throw new CliExit(e.exitCode === 0 ? 0 : (USAGE_EXIT[command.name()] ?? 2));
      });
  });
  return program;
}

/** Runs one command line (without the node and script arguments); resolves with the exit status. */
export async function runCli(args: readonly string[], io: CliIo = processIo): Promise<number> {
  let code = 0;
  const program = buildProgram(io, (c) => (code = c));
  try {
    await program.parseAsync([...args], { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CliExit) return e.code;
    io.err(`${e instanceof Error ? e.message : String(e)}\n`);
    return 2;
  }
}
