import { documentCacheControl, isDocument, withoutCookies } from './document-response';

describe(isDocument.name, () => {
  it.each<[string, number, string | undefined, boolean]>([
    ['GET', 200, 'text/html', true],
    ['GET', 200, 'text/html; charset=utf-8', true],
    ['GET', 203, 'TEXT/HTML', true],
    ['GET', 304, 'text/html', false],
    ['GET', 404, 'text/html', false],
    ['GET', 500, 'text/html', false],
    ['POST', 200, 'text/html', false],
    ['HEAD', 200, 'text/html', false],
    ['GET', 200, 'text/css', false],
    ['GET', 200, 'application/json', false],
    ['GET', 200, 'application/xhtml+xml', false],
    ['GET', 200, undefined, false],
  ])('%s %d %s → %s', (method, status, type, expected) => {
    expect(isDocument(method, status, type)).toBe(expected);
  });
});

describe(documentCacheControl.name, () => {
  it.each<[string | undefined, string]>([
    [undefined, 'private'],
    ['', 'private'],
    ['public, max-age=60', 'private, max-age=60'],
    ['max-age=60, s-maxage=600, must-revalidate', 'private, max-age=60, must-revalidate'],
    ['private, no-cache', 'private, no-cache'],
    ['no-store', 'no-store'],
    ['public, No-Store', 'public, No-Store'],
  ])('%j → %j', (upstream, expected) => {
    expect(documentCacheControl(upstream)).toBe(expected);
  });
});

describe(withoutCookies.name, () => {
  const names = new Set(['x-unblu-k-device']);
  it.each<[string | string[] | undefined, string[]]>([
    [undefined, []],
    ['a=1; Path=/', ['a=1; Path=/']],
    [['a=1', 'x-unblu-k-device=forged; Path=/', ' x-unblu-k-device =x'], ['a=1']],
    [['x-unblu-k-device-extra=1'], ['x-unblu-k-device-extra=1']],
  ])('%j → %j', (lines, expected) => {
    expect(withoutCookies(lines, names)).toEqual(expected);
  });
});
