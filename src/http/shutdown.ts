import { INestApplication, Logger } from '@nestjs/common';
import type { Server } from 'node:http';
import { VisitorRegistryService } from '../registry/visitor-registry.service';
import { drainServer, listeningServers } from './http-server';

/** The signals that stop a node: an orchestrator's SIGTERM, a terminal's Ctrl-C. */
const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/** At most this much of the grace is kept for the last flush and closing the database. */
const FLUSH_RESERVE_MS = 3_000;

/**
 * How a grace is spent: connections may drain until `drainMs` (then the busy ones left are
 * closed unanswered); the rest, at most half of it and at most 3 s, is kept for the last flush
 * of sightings and closing the database.
 */
export function shutdownBudget(graceMs: number): { drainMs: number } {
  return { drainMs: graceMs - Math.min(graceMs / 2, FLUSH_RESERVE_MS) };
}

/**
 * SPEC §13 "Shutdown within the grace". On SIGTERM or SIGINT the node stops accepting on
 * `servers` (by default every listener createLimitedServer made that is open then), closes idle keep-alive connections at once and busy ones after their answer
 * (drainServer), then closes the application: Nest's hooks flush the visitor sightings and
 * close the database. Everything is bounded by `graceSeconds` (server.shutdownTimeoutSeconds):
 * connections still busy when the drain budget is spent are closed, and if the grace runs out
 * the process exits anyway, with one line saying what was left undone. Either way the process
 * ends by the same signal (exit status 143 for SIGTERM), as Nest's own shutdown hooks do.
 */
export function stopWithinGrace(
  app: INestApplication,
  graceSeconds: number,
  servers: () => readonly Server[] = listeningServers,
): void {
  const logger = new Logger('Shutdown');
  const graceMs = graceSeconds * 1000;
  let stopping = false;
  let step = 'closing connections';
  const stop = (signal: NodeJS.Signals) => {
    // A second signal while stopping changes nothing (an orchestrator's SIGKILL will come).
    if (stopping) return;
    stopping = true;
    logger.log(`${signal}: stopping within ${graceSeconds} s (server.shutdownTimeoutSeconds)`);
    const outOfTime = setTimeout(() => {
      const unwritten = app.get(VisitorRegistryService).unwrittenCount;
      logger.error(
        `the ${graceSeconds} s grace (server.shutdownTimeoutSeconds) ran out while ${step}: ` +
          `exiting with ${unwritten} visitor sightings not written`,
      );
      end(signal);
    }, graceMs);
    const { drainMs } = shutdownBudget(graceMs);
    void Promise.all(servers().map((server) => drainServer(server, drainMs)))
      .then(async (drained) => {
        const cut = drained.reduce((sum, d) => sum + d.cut, 0);
        if (cut > 0) {
          logger.warn(
            `closed ${cut} ${cut === 1 ? 'connection' : 'connections'} still busy after ` +
              `${drainMs / 1000} s: their requests got no answer`,
          );
        }
        step = 'flushing sightings and closing the database';
        await app.close();
        clearTimeout(outOfTime);
        end(signal);
      })
      .catch((e: unknown) => {
        logger.error(`stopping failed: ${e instanceof Error ? e.message : String(e)}`);
        process.exit(1);
      });
  };
  for (const s of STOP_SIGNALS) process.on(s, stop);
}

/**
 * Ends the process by the signal's default action. Not process.exit(): that waits for native
 * work still running in libuv's thread pool (a SQLite statement in its busy timeout, up to 5 s)
 * before the process is gone.
 */
function end(signal: NodeJS.Signals): void {
  for (const s of STOP_SIGNALS) process.removeAllListeners(s);
  process.kill(process.pid, signal);
}
