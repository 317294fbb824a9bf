import { Injectable, Module } from '@nestjs/common';

/**
 * Whether this node is draining (SPEC §18): from the stop signal on, readiness answers 503
 * `draining` on every listener and the console's status says so, while every other route keeps
 * answering for `server.drainSeconds` (http/shutdown.ts starts it). One per process.
 */
@Injectable()
export class Draining {
  private since: number | null = null;

  /** From now on, readiness fails. Idempotent. */
  begin(now = Date.now()): void {
    this.since ??= now;
  }

  get active(): boolean {
    return this.since !== null;
  }

  /** Why the node is not ready while draining, in an operator's words; null when not draining. */
  problem(): string | null {
    return this.since === null
      ? null
      : 'this node is stopping (a stop signal arrived): it answers the requests load balancers still send while they take it out (server.drainSeconds), then exits';
  }
}

/** Provides the one Draining of the process to the modules that ask readiness. */
@Module({ providers: [Draining], exports: [Draining] })
export class DrainingModule {}
