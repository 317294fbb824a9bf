import type { LoggerService } from '@nestjs/common';

/**
 * Nest's start-up chatter that says nothing an operator acts on: a line per module
 * (InstanceLoader), per controller and per route (RoutesResolver, RouterExplorer) — about 55
 * lines. Pantry writes one line for the routes instead (see operator-routes.ts).
 */
const QUIET_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

/** `logger` without Nest's per-module and per-route start-up lines (info level only). */
export function withoutStartupChatter(logger: LoggerService): LoggerService {
  return {
    log: (message: unknown, ...rest: unknown[]) => {
      const context = rest[rest.length - 1];
      if (typeof context === 'string' && QUIET_CONTEXTS.has(context)) return;
      logger.log(message, ...rest);
    },
    error: (message: unknown, ...rest: unknown[]) => {
      logger.error(message, ...rest);
    },
    warn: (message: unknown, ...rest: unknown[]) => {
      logger.warn(message, ...rest);
    },
    debug: (message: unknown, ...rest: unknown[]) => {
      logger.debug?.(message, ...rest);
    },
    verbose: (message: unknown, ...rest: unknown[]) => {
      logger.verbose?.(message, ...rest);
    },
    fatal: (message: unknown, ...rest: unknown[]) => {
      logger.fatal?.(message, ...rest);
    },
    setLogLevels: (levels) => {
      logger.setLogLevels?.(levels);
    },
  };
}
