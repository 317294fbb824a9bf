import { Command } from 'commander';
import { PantryError } from '../common/errors';
import { Diagnosis, diagnose } from '../diagnostics/diagnosis';
import { HostResolver } from '../diagnostics/host-resolver';
import { NO_STORED_TENANTS, StoredTenants, TenantSnapshot } from '../tenants/tenant-snapshot';
import { openExistingDatabase, readStoredTenants } from './cli-database';
import { CONFIG_OPTION, readConfiguration } from './cli-config';
import { CliIo } from './cli-io';

/** Exit statuses of `pantry doctor` (SPEC §13). */
export const DOCTOR_EXIT = { durable: 0, capped: 1, unknown: 2, usage: 3 } as const;

interface DoctorOptions {
  account: string;
  page: string;
  server?: string;
  json?: boolean;
  config?: string;
}

function render(result: Diagnosis): string {
  const lifetime =
    result.lifetimeDays === null
      ? 'not kept (third-party) or unknown'
      : `${result.lifetimeDays} days`;
  return [
    `account ${result.account}: a visitor on ${result.page} reaching Pantry at ${result.server}`,
    `deployment ${result.mode}, corsCookieMode ${result.corsCookieMode}`,
    `addresses: page ${result.addresses.page.join(', ') || '-'}; server ${result.addresses.server.join(', ') || '-'}`,
    `${result.verdict.toUpperCase()}: identity cookies in Safari: ${lifetime}`,
    ...result.reasons.map((r) => `  ${r.code}: ${r.message}`),
    ...(result.keeper.cookies.length ? [`keeper: ${result.keeper.message}`] : []),
    '',
  ].join('\n');
}

/**
 * The durability diagnosis of SPEC §8 for a file or API-created account, on its effective
 * properties (files, then the overrides stored in the database), as the admin route computes it.
 */
async function doctor(io: CliIo, options: DoctorOptions): Promise<number> {
  const { configuration } = readConfiguration(io, options.config, DOCTOR_EXIT.usage);
  const opened = await openExistingDatabase(configuration.app.values['database.url']);
  let stored: StoredTenants = NO_STORED_TENANTS;
  if (opened.ok) {
    try {
      stored = await readStoredTenants(opened.dataSource).catch(() => NO_STORED_TENANTS);
    } finally {
      await opened.dataSource.destroy();
    }
  } else {
    io.err(`note: ${opened.reason}: only the account files and their properties are read\n`);
  }
  const app = configuration.app.values;
  const snapshot = new TenantSnapshot(configuration, stored, {
    multiAccount: app['server.multiAccount'],
    clusterEnabled: app['identifier.clusterEnabled'],
  });
  if (!snapshot.account(options.account)) {
    io.err(
      `No account "${options.account}" in the configuration files${opened.ok ? ' or the database' : ''}.\n`,
    );
    return DOCTOR_EXIT.usage;
  }
  let result: Diagnosis;
  try {
    result = await diagnose(
      new HostResolver(),
      options.account,
      snapshot.propertiesOf(options.account).values,
      options.page,
      options.server,
    );
  } catch (e) {
    if (!(e instanceof PantryError)) throw e;
    io.err(`${e.message}\n`);
    return DOCTOR_EXIT.usage;
  }
  io.out(options.json ? `${JSON.stringify(result, null, 2)}\n` : render(result));
  return result.verdict === 'durable'
    ? DOCTOR_EXIT.durable
    : result.verdict === 'unknown'
      ? DOCTOR_EXIT.unknown
      : DOCTOR_EXIT.capped;
}

export function doctorCommand(io: CliIo, done: (code: number) => void): Command {
  return new Command('doctor')
    .summary(
      "an account's cookie durability in Safari for a page (exit 0 durable, 1 capped, 2 unknown, 3 usage)",
    )
    .description(
      "How long an account's identity cookies last in Safari for a visitor on a page (the durability diagnosis), for file and API-created accounts.",
    )
    .requiredOption('--account <id>', 'the account')
    .requiredOption('--page <url>', 'a page of the site, e.g. https://www.shop.com/')
    .option('--server <url>', "where the page reaches Pantry (default: the page's own origin)")
    .option('--json', 'print the answer of GET /admin/v1/accounts/:id/diagnostics')
    .option(...CONFIG_OPTION)
    .addHelpText(
      'after',
      '\nExit status: 0 durable, 1 capped or blocked, 2 unknown, 3 usage error or no such account.',
    )
    .action(async (options: DoctorOptions) => done(await doctor(io, options)));
}
