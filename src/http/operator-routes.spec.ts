import { cameThroughProxy, routeAudience } from './operator-routes';

describe(routeAudience.name, () => {
  it.each([
    ['/admin/v1/accounts', 'operator'],
    ['/admin/v1/accounts/:id/apikeys/:key', 'operator'],
    ['/admin/docs', 'operator'],
    ['/admin/docs-json', 'operator'],
    ['/admin/docs/*', 'operator'],
    ['/admin/', 'operator'],
    ['/admin', 'operator'],
    ['/metrics', 'operator'],
    ['/', 'operator'],
    ['/favicon.ico', 'operator'],
    ['/health', 'health'],
    ['/health/live', 'health'],
    ['/health/ready', 'health'],
    ['/unblu/v1/identify', 'public'],
    ['/unblu/visitor.js', 'public'],
    ['/administrator', 'public'],
    ['/metricsx', 'public'],
    ['/healthy', 'public'],
  ])('%s is %s', (path, audience) => {
    expect(routeAudience(path)).toBe(audience);
  });
});

describe(cameThroughProxy.name, () => {
  it.each([
    [{ 'x-forwarded-prefix': '/pantry' }, true],
    [{ 'x-forwarded-host': 'www.shop.com' }, true],
    [{ 'x-forwarded-for': '203.0.113.9' }, false],
    [{ 'x-forwarded-proto': 'https' }, false],
    [{}, false],
  ])('%j → %s', (headers, expected) => {
    expect(cameThroughProxy(headers)).toBe(expected);
  });
});
