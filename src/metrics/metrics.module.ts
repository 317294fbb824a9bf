import { Module } from '@nestjs/common';
import { MetricsService } from './metrics.service';

/** Prometheus metrics: one registry every feature records into (served by http/MetricsServer). */
@Module({ providers: [MetricsService], exports: [MetricsService] })
export class MetricsModule {}
