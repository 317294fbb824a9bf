import {
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
  OnModuleInit,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { createServer, Server } from 'node:http';
import { drainServer } from './http-server';
import { ConfigurationService } from '../properties/configuration.service';
import { MetricsService } from '../metrics/metrics.service';

/** On shutdown, how long a scrape in flight may take before its connection is closed. */
const SCRAPE_DRAIN_MS = 1_000;

/**
 * `GET /metrics` (Prometheus text format): on the main port, or only on
 * `server.metricsPort` when that is set (an internal port a load balancer does not expose).
 */
@Injectable()
export class MetricsServer implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(MetricsServer.name);
  private server?: Server;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly configuration: ConfigurationService,
    private readonly metrics: MetricsService,
  ) {}

  private get port(): number {
    return this.configuration.startup['server.metricsPort'];
  }

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify || this.port !== 0 || !this.metrics.enabled) return;
    fastify.get('/metrics', async (_request, reply) => {
      const text = await this.metrics.registry.metrics();
      return reply.header('content-type', this.metrics.registry.contentType).send(text);
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.port === 0 || !this.metrics.enabled) return;
    this.server = createServer((req, res) => {
      if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      this.metrics.registry.metrics().then(
        (text) =>
          res.writeHead(200, { 'content-type': this.metrics.registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    });
    const host = process.env.HOST ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.port, host, () => resolve());
    });
    this.logger.log(`metrics on http://${host}:${this.port}/metrics`);
  }

  /** A scrape in flight is answered; a scraper's idle keep-alive connection holds nothing up. */
  async onModuleDestroy(): Promise<void> {
    if (this.server) await drainServer(this.server, SCRAPE_DRAIN_MS);
  }
}
