import { ConfigurationService } from '../properties/configuration.service';
import { MetricsService } from './metrics.service';
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

  it('counts nothing when disabled', async () => {
    const metrics = service(false);
    metrics.observeRequest('/x', 'GET', 200, 0.1);
    metrics.cookie('device', 'issued', '-');
    expect(await metrics.registry.metrics()).not.toContain('route="/x"');
  });
});
