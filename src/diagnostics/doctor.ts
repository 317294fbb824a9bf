import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatProblem } from '../properties/configuration';
import { loadConfiguration } from '../properties/configuration.service';
import { diagnose } from './diagnosis';
import { HostResolver } from './host-resolver';

/**
 * `npm run doctor -- --account ID --page URL [--server URL]`: the durability diagnosis of
 * SPEC §8 from the command line, on the account's file properties (API overrides live in the
 * database: the admin route `GET /admin/v1/accounts/:id/diagnostics` sees those too).
 * Exit status: 0 durable, 1 capped, 2 unknown or a usage error.
 */
async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        account: { type: 'string' },
        page: { type: 'string' },
        server: { type: 'string' },
        json: { type: 'boolean' },
      },
    }).values;
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    args = {};
  }
  if (!args.account || !args.page) {
    process.stderr.write(
      'usage: npm run doctor -- --account ID --page URL [--server URL] [--json]\n',
    );
    return 2;
  }
  const loaded = loadConfiguration(resolve(process.env.PANTRY_CONFIG_DIR ?? './config'));
  if (!loaded.ok) {
    process.stderr.write(`${loaded.problems.map(formatProblem).join('\n')}\n`);
    return 2;
  }
  const account = loaded.configuration.accounts.get(args.account);
  if (!account) {
    process.stderr.write(`No account "${args.account}" in the configuration files.\n`);
    return 2;
  }
  const result = await diagnose(
    new HostResolver(),
    account.id,
    account.properties.values,
    args.page,
    args.server,
  );
  if (args.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    const lifetime =
      result.lifetimeDays === null
        ? 'not kept (third-party) or unknown'
        : `${result.lifetimeDays} days`;
    process.stdout.write(
      [
        `account ${result.account}: a visitor on ${result.page} reaching Pantry at ${result.server}`,
        `deployment ${result.mode}, corsCookieMode ${result.corsCookieMode}`,
        `addresses: page ${result.addresses.page.join(', ') || '-'}; server ${result.addresses.server.join(', ') || '-'}`,
        `${result.verdict.toUpperCase()}: identity cookies in Safari: ${lifetime}`,
        ...result.reasons.map((r) => `  ${r.code}: ${r.message}`),
        '',
      ].join('\n'),
    );
  }
  return result.verdict === 'durable' ? 0 : result.verdict === 'capped' ? 1 : 2;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  },
);
