import { EDGE_COOKIE_SLOTS, edgeCookieHeaders, underPath } from './edge';

describe('underPath: a URI of Pantry’s own, not a document of the site', () => {
  it.each<[string | undefined, string, boolean]>([
    ['/unblu', '/unblu', true],
    ['/unblu/', '/unblu', true],
    ['/unblu/visitor.js?x-unblu-apikey=k', '/unblu', true],
    ['/unblu?x=1', '/unblu', true],
    ['/unblu#top', '/unblu', true],
    ['/unblutooth', '/unblu', false],
    ['/unblu-shop/x', '/unblu', false],
    ['/shop/unblu/', '/unblu', false],
    ['/', '/unblu', false],
    ['', '/unblu', false],
    [undefined, '/unblu', false],
    ['/pantry/unblu/v1/identify', '/pantry/unblu', true],
    ['/UNBLU/', '/unblu', false],
  ])('%j under %j: %s', (uri, base, expected) => {
    expect(underPath(uri, base)).toBe(expected);
  });
});

describe('edgeCookieHeaders', () => {
  it('numbers the slots from 1, under the server prefix', () => {
    const names = edgeCookieHeaders('x-unblu-');
    expect(names).toHaveLength(EDGE_COOKIE_SLOTS);
    expect(names[0]).toBe('x-unblu-edge-cookie-1');
    expect(names.at(-1)).toBe(`x-unblu-edge-cookie-${EDGE_COOKIE_SLOTS}`);
  });
});
