import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';

/**
 * Closes the HTTP server (no new requests; those in flight finish) before any feature's own
 * shutdown hook runs, so that nothing a request writes (visitor sightings, kept cookies) can
 * arrive after its last flush. Provided by the root module: Nest runs `beforeApplicationShutdown`
 * from the root down, so this runs first. On a signal the server has already been drained within
 * the grace (http/shutdown.ts), and this close returns at once.
 */
@Injectable()
export class CloseHttpFirst implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Shutdown');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  async beforeApplicationShutdown(): Promise<void> {
    try {
      await this.adapterHost.httpAdapter?.close();
    } catch (e) {
      this.logger.warn(`closing the HTTP server before the last flushes failed: ${String(e)}`);
    }
  }
}
