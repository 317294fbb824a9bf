import { Module } from '@nestjs/common';
import { MetricsService } from './metrics.service';
import { MetricsServer } from './metrics.server';

/** Prometheus metrics: one registry every feature records into, served at /metrics. */
@Module({ providers: [MetricsService, MetricsServer], exports: [MetricsService] })
export class MetricsModule {}
