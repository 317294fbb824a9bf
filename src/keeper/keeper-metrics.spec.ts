import { Registry } from 'prom-client';
import type { MetricsService } from '../metrics/metrics.service';
import { KeeperMetrics } from './keeper-metrics';

const metricsOf = (enabled: boolean) => {
  const registry = new Registry();
  return { registry, keeper: new KeeperMetrics({ enabled, registry } as MetricsService) };
};

describe(KeeperMetrics.name, () => {
  it('counts per adapter, outcome and account; every cookie:<name> as `cookie`', async () => {
    const { registry, keeper } = metricsOf(true);
    keeper.count('ga', 'kept', '-');
    keeper.count('ga', 'kept', '-');
    keeper.count('ga', 'restored', 'shop');
    keeper.count('cookie:uid', 'derived', '-');
    keeper.count('cookie:other', 'derived', '-');
    const metric = await registry.getSingleMetric('pantry_keeper_cookies_total')!.get();
    expect(metric.values.map((v) => [v.labels, v.value])).toEqual(
      expect.arrayContaining([
        [{ adapter: 'ga', outcome: 'kept', account: '-' }, 2],
        [{ adapter: 'ga', outcome: 'restored', account: 'shop' }, 1],
        [{ adapter: 'cookie', outcome: 'derived', account: '-' }, 2],
      ]),
    );
    expect(metric.values).toHaveLength(3);
  });

  it('with metrics disabled, registers and counts nothing', () => {
    const { registry, keeper } = metricsOf(false);
    keeper.count('ga', 'kept', '-');
    expect(registry.getSingleMetric('pantry_keeper_cookies_total')).toBeUndefined();
  });
});
