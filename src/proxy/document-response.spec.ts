import {
  documentCacheControl,
  endToEnd,
  fleetPseudonym,
  isDocument,
  passedThrough,
  withoutCookies,
  withVia,
} from './document-response';

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

describe(fleetPseudonym.name, () => {
  const key = Buffer.alloc(32, 1);
  it('is the same for the same key, differs for another, and does not show the key', () => {
    expect(fleetPseudonym(key)).toBe(fleetPseudonym(Buffer.alloc(32, 1)));
    expect(fleetPseudonym(key)).not.toBe(fleetPseudonym(Buffer.alloc(32, 2)));
    expect(fleetPseudonym(key)).toMatch(/^pantry-[A-Za-z0-9_-]{12}$/);
    expect(fleetPseudonym(key)).not.toContain(key.toString('base64url').slice(0, 8));
  });
});

describe(passedThrough.name, () => {
  const me = 'pantry-abcdefghijkl';
  it.each<[string | string[] | undefined, boolean]>([
    [undefined, false],
    ['', false],
    ['1.1 cdn', false],
    [`1.1 ${me}`, true],
    [`1.0 cdn, 1.1 ${me} (comment)`, true],
    [['1.1 cdn', `HTTP/1.1 ${me}`], true],
    [`1.1 ${me}x`, false],
    ['1.1 pantry-otherfleetxx', false],
    [me, false],
  ])('%j → %s', (via, expected) => {
    expect(passedThrough(via, me)).toBe(expected);
  });
});

describe(withVia.name, () => {
  it.each<[string | string[] | undefined, string, string]>([
    [undefined, '1.1', '1.1 pantry-x'],
    ['  ', '1.1', '1.1 pantry-x'],
    ['1.0 cdn', '1.1', '1.0 cdn, 1.1 pantry-x'],
    [['1.0 a', '1.1 b'], '1.0', '1.0 a, 1.1 b, 1.0 pantry-x'],
  ])('%j over HTTP/%s → %j', (via, version, expected) => {
    expect(withVia(via, version, 'pantry-x')).toBe(expected);
  });
});

describe(endToEnd.name, () => {
  it.each<[Record<string, string | string[]>, Record<string, string | string[]>]>([
    [{ a: '1' }, { a: '1' }],
    [{ connection: 'close', 'keep-alive': 'timeout=5', a: '1' }, { a: '1' }],
    [{ connection: 'close, X-Secret', 'x-secret': 'internal', a: '1' }, { a: '1' }],
    [{ connection: ['x-one', ' X-Two '], 'x-one': '1', 'x-two': '2', a: '1' }, { a: '1' }],
    [{ 'transfer-encoding': 'chunked', te: 'trailers', upgrade: 'h2c', a: '1' }, { a: '1' }],
  ])('%j → %j', (headers, expected) => {
    expect(endToEnd(headers)).toEqual(expected);
  });
});
