import { ConfigurationService } from '../properties/configuration.service';
import { MetricsService } from './metrics.service';
import { Counter, Gauge, Histogram, Summary } from 'prom-client';
import { Subject } from 'rxjs';

function service(enabled = true): MetricsService {
  const configuration = {
    startup: { 'server.metricsEnabled': enabled },
    reloadResults: new Subject<'ok' | 'failed'>(),
  } as unknown as ConfigurationService;
  return new MetricsService(configuration);
}

describe(MetricsService.name, () => {
  it('exports the request tallies as a counter and a cumulative histogram when scraped', async () => {
    const metrics = service();
    metrics.observeRequest('/unblu/v1/identify', 'POST', 200, 0.0003);
    metrics.observeRequest('/unblu/v1/identify', 'POST', 200, 0.002);
    metrics.observeRequest('/unblu/v1/identify', 'POST', 200, 30); // beyond the last bucket
    metrics.observeRequest('/unblu/v1/identify', 'POST', 403, 0.0001);
    const text = await metrics.registry.metrics();
    const line = (name: string, labels: string) =>
      new RegExp(`^${name}\\{${labels}\\} (\\S+)$`, 'm').exec(text)?.[1];
    const ok = 'route="/unblu/v1/identify",method="POST",status="200"';
    expect(line('pantry_http_requests_total', ok)).toBe('3');
    expect(line('pantry_http_request_duration_seconds_bucket', `le="0.00025",${ok}`)).toBe('0');
    expect(line('pantry_http_request_duration_seconds_bucket', `le="0.0005",${ok}`)).toBe('1');
    expect(line('pantry_http_request_duration_seconds_bucket', `le="0.0025",${ok}`)).toBe('2');
    expect(line('pantry_http_request_duration_seconds_bucket', `le="5",${ok}`)).toBe('2');
    expect(line('pantry_http_request_duration_seconds_bucket', `le="\\+Inf",${ok}`)).toBe('3');
    expect(line('pantry_http_request_duration_seconds_count', ok)).toBe('3');
    expect(Number(line('pantry_http_request_duration_seconds_sum', ok))).toBeCloseTo(30.0023);
    // Scraping twice reports the same totals (set, not added).
    expect(await metrics.registry.metrics()).toContain(`pantry_http_requests_total{${ok}} 3`);
  });

  it('counts cookies and refusals by their fixed labels', async () => {
    const metrics = service();
    metrics.cookie('device', 'issued', '-');
    metrics.cookie('device', 'issued', '-');
    metrics.cookie('session', 'resent', 'shop');
    metrics.cookie('anonymous-person', 'erased', '-');
    metrics.originRefused('-');
    const text = await metrics.registry.metrics();
    expect(text).toContain(
      'pantry_cookies_total{kind="device",action="issued",reason="new",account="-"} 2',
    );
    expect(text).toContain(
      'pantry_cookies_total{kind="session",action="refreshed",reason="durable",account="shop"} 1',
    );
    expect(text).toContain(
      'pantry_cookies_total{kind="anonymous-person",action="rejected",reason="erased",account="-"} 1',
    );
    expect(text).not.toMatch(/pantry_cookies_total\{kind="consent"/);
    expect(text).toContain('pantry_origin_refusals_total{account="-"} 1');
  });

  it.each<[string, string]>([
    ['GET', 'GET'],
    ['HEAD', 'HEAD'],
    ['POST', 'POST'],
    ['PUT', 'PUT'],
    ['PATCH', 'PATCH'],
    ['DELETE', 'DELETE'],
    ['OPTIONS', 'OPTIONS'],
    ['PROPFIND', 'other'],
    ['M-SEARCH', 'other'],
    ['QUERY', 'other'],
    ['get', 'other'],
    ['X-ANYTHING-1234', 'other'],
  ])('counts the method %s as %s', async (method, label) => {
    const metrics = service();
    metrics.observeRequest('(unrouted)', method, 404, 0.001);
    expect(await metrics.registry.metrics()).toContain(
      `pantry_http_requests_total{route="(unrouted)",method="${label}",status="404"} 1`,
    );
  });

  it('keeps one series for every unknown method', async () => {
    const metrics = service();
    for (let i = 0; i < 50; i++) metrics.observeRequest('(unrouted)', `M${i}`, 404, 0.001);
    const text = await metrics.registry.metrics();
    expect(text.match(/^pantry_http_requests_total\{/gm)).toHaveLength(1);
    expect(text).toContain(
      'pantry_http_requests_total{route="(unrouted)",method="other",status="404"} 50',
    );
  });

  /**
   * One way to record on every tally and metric the service has. The methods are listed by name
   * and checked against the service's own (a new one fails until it is listed here); the
   * prom-client metrics are found on the instance and recorded through every recorder they have.
   */
  const RECORD: Record<string, (m: MetricsService) => void> = {
    series: (m) => m.series('/s', 'GET').observe(200, 0.1),
    observeRequest: (m) => m.observeRequest('/x', 'GET', 200, 0.1),
    cookie: (m) => m.cookie('device', 'issued', '-'),
    originRefused: (m) => m.originRefused('-'),
    bridge: (m) => m.bridge('issued', '-'),
    // Stops the clock of the per-second counts; records nothing.
    onModuleDestroy: (m) => m.onModuleDestroy(),
  };
  const recordEverything = (enabled: boolean) => {
    const reloadResults = new Subject<'ok' | 'failed'>();
    const metrics = new MetricsService({
      startup: { 'server.metricsEnabled': enabled },
      reloadResults,
    } as unknown as ConfigurationService);
    for (const record of Object.values(RECORD)) record(metrics);
    for (const field of Object.values(metrics)) {
      const kinds = [Counter, Gauge, Histogram, Summary];
      if (!kinds.some((kind) => field instanceof kind)) continue;
      const recorder = field as unknown as Record<string, (...a: unknown[]) => void>;
      const labels = Object.fromEntries(
        (field as unknown as { labelNames: string[] }).labelNames.map((l) => [l, 'x']),
      );
      for (const name of ['inc', 'set', 'observe']) recorder[name]?.call(field, labels, 2);
    }
    reloadResults.next('ok');
    return metrics;
  };
  /** The service's own metrics (the process defaults aside), with the samples that are not 0. */
  const nonZero = async (metrics: MetricsService) => {
    const own = service(false)
      .registry.getMetricsAsArray()
      .map((m) => m.name);
    const text = await metrics.registry.metrics();
    return Object.fromEntries(
      own.map((name) => [
        name,
        text
          .split('\n')
          .filter((l) => l.startsWith(name) && !/ 0$/.test(l))
          .map((l) => l.replace(/ \S+$/, '')),
      ]),
    );
  };

  it('lists a way to record for every method', () => {
    const methods = Object.getOwnPropertyNames(MetricsService.prototype).filter(
      (n) => n !== 'constructor',
    );
    expect(Object.keys(RECORD).sort()).toEqual(methods.sort());
  });

  it('records on every metric when enabled (so the next test can fail)', async () => {
    const counted = await nonZero(recordEverything(true));
    for (const [name, samples] of Object.entries(counted)) {
      expect([name, samples.length > 0]).toEqual([name, true]);
    }
  });

  it('counts nothing at all when disabled', async () => {
    const counted = await nonZero(recordEverything(false));
    expect(Object.values(counted).flat()).toEqual([]);
  });

  it('counts every observed answer per second too, for the console (none when disabled)', () => {
    const requests = (enabled: boolean) => {
      const metrics = recordEverything(enabled);
      metrics.series('/v', 'POST').observe(403, 0.001);
      return metrics.perSecond
        .snapshot(Date.now() + 1000)
        .reduce((sum, s) => [sum[0] + s.requests, sum[1] + s.refusals], [0, 0]);
    };
    // series() and observeRequest() of RECORD, and the 403 here.
    expect(requests(true)).toEqual([3, 1]);
    expect(requests(false)).toEqual([0, 0]);
  });
});
