import { INestApplication, Logger } from '@nestjs/common';
import type { Server } from 'node:http';
import { Draining } from '../common/draining';
import { AFTER_DRAIN_SECONDS, effectiveDrain } from '../properties/drain';
import type { PropertyValues } from '../properties/property-catalog';
import { VisitorRegistryService } from '../registry/visitor-registry.service';
import { closeConnectionsAfterAnswers, drainServer, listeningServers } from './http-server';

/** The signals that stop a node: an orchestrator's SIGTERM, a terminal's Ctrl-C. */
const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * At most this much of what the grace leaves after the drain is kept for the last flush and
 * closing the database.
 */
const FLUSH_RESERVE_MS = 3_000;

/** How a grace is spent, each time counted from the stop signal. */
export interface ShutdownBudget {
  /** Until then the node drains: readiness answers 503, everything else is served. */
  readonly drainMs: number;
  /**
   * Then it stops accepting and busy connections may finish until this point (those still
   * busy are closed unanswered); the rest of the grace, at most half of what the drain left
   * and at most 3 s, is kept for the last flush of sightings and closing the database.
   */
  readonly connectionsMs: number;
}

export function shutdownBudget(graceMs: number, drainMs = 0): ShutdownBudget {
  const rest = graceMs - drainMs;
  return { drainMs, connectionsMs: drainMs + rest - Math.min(rest / 2, FLUSH_RESERVE_MS) };
}

type StopSettings = Pick<PropertyValues, 'server.shutdownTimeoutSeconds' | 'server.drainSeconds'>;

/**
 * SPEC §13 "Shutdown within the grace" and §18. On SIGTERM or SIGINT the node first drains for
 * `server.drainSeconds`: `/health/ready` answers 503 `draining` at once (common/draining.ts)
 * while every other request is served, each answer ending its keep-alive connection, so a load
 * balancer takes the node out and moves its connections away before any is closed under it (a
 * second signal ends the drain at once: Ctrl-C twice). Then it stops accepting on `servers`
 * (by default every listener createLimitedServer made that is open then), closes idle
 * keep-alive connections at once and busy ones after their answer (drainServer), and closes
 * the application: Nest's hooks flush the visitor sightings and kept cookies and close the
 * database. Everything is bounded by `server.shutdownTimeoutSeconds`, the drain included:
 * connections still busy when their budget is spent are closed, and if the grace runs out the
 * process exits anyway, with one line saying what was left undone. Either way the process
 * ends by the same signal (exit status 143 for SIGTERM), as Nest's own shutdown hooks do.
 */
export function stopWithinGrace(
  app: INestApplication,
  settings: StopSettings,
  servers: () => readonly Server[] = listeningServers,
): void {
  const logger = new Logger('Shutdown');
  const graceSeconds = settings['server.shutdownTimeoutSeconds'];
  const drain = effectiveDrain(settings['server.drainSeconds'], graceSeconds);
  if (drain.shortened) {
    logger.warn(
      `server.drainSeconds: the default ${settings['server.drainSeconds']} s does not fit in ` +
        `server.shutdownTimeoutSeconds = ${graceSeconds} (${AFTER_DRAIN_SECONDS} s must remain ` +
        `after the drain): a stop drains for ${drain.seconds} s`,
    );
  }
  const graceMs = graceSeconds * 1000;
  const budget = shutdownBudget(graceMs, drain.seconds * 1000);
  let stopping = false;
  let endDrain = () => {};
  let step = 'draining';
  const stop = (signal: NodeJS.Signals) => {
    // A second signal while stopping changes nothing but the drain (an orchestrator's SIGKILL
    // will come); a person pressing Ctrl-C twice does not wait for it.
    if (stopping) return endDrain();
    stopping = true;
    app.get(Draining).begin();
    const outOfTime = setTimeout(() => {
      const unwritten = app.get(VisitorRegistryService).unwrittenCount;
      logger.error(
        `the ${graceSeconds} s grace (server.shutdownTimeoutSeconds) ran out while ${step}: ` +
          `exiting with ${unwritten} visitor sightings not written`,
      );
      end(signal);
    }, graceMs);
    const drained = new Promise<void>((resolve) => {
      if (budget.drainMs === 0) return resolve();
      servers().forEach(closeConnectionsAfterAnswers);
      logger.log(
        `${signal}: draining for ${drain.seconds} s (server.drainSeconds): /health/ready answers ` +
          `503, every other request is served; then stopping, within ${graceSeconds} s in all ` +
          `(server.shutdownTimeoutSeconds). A second signal (Ctrl-C again) ends the drain now`,
      );
      const timer = setTimeout(() => endDrain(), budget.drainMs);
      endDrain = () => {
        clearTimeout(timer);
        endDrain = () => {};
        resolve();
      };
    });
    void drained
      .then(() => {
        step = 'closing connections';
        const connectionsMs = budget.connectionsMs - budget.drainMs;
        logger.log(
          budget.drainMs === 0
            ? `${signal}: stopping within ${graceSeconds} s (server.shutdownTimeoutSeconds)`
            : `drain over: no longer accepting connections; finishing the requests in flight`,
        );
        return Promise.all(servers().map((server) => drainServer(server, connectionsMs)));
      })
      .then(async (closed) => {
        const cut = closed.reduce((sum, d) => sum + d.cut, 0);
        if (cut > 0) {
          logger.warn(
            `closed ${cut} ${cut === 1 ? 'connection' : 'connections'} still busy after ` +
              `${budget.connectionsMs / 1000} s: their requests got no answer`,
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
