import { readRequestHead, RequestHead } from './request-target';

describe(readRequestHead.name, () => {
  const one = ['Host', 'www.shop.test', 'Accept', '*/*'];
  const refused = { kind: 'refuse', message: expect.any(String) as string };
  it.each<[string, string, string[], RequestHead | typeof refused]>([
    ['GET', '/', one, { kind: 'pass' }],
    ['GET', '/a?b=1', one, { kind: 'pass' }],
    ['GET', '/', [], { kind: 'pass' }],
    ['GET', '/', ['Host', 'a', 'host', 'a'], refused],
    ['GET', '/', ['HOST', 'a', 'X', 'y', 'hOsT', 'b'], refused],
    ['GET', '/', ['Hostx', 'a', 'host', 'a'], { kind: 'pass' }],
    ['GET', 'http://www.shop.test', one, { kind: 'rewrite', url: '/', host: 'www.shop.test' }],
    [
      'GET',
      'http://WWW.Shop.Test/a/b?c',
      one,
      { kind: 'rewrite', url: '/a/b?c', host: 'www.shop.test' },
    ],
    [
      'GET',
      'HTTPS://shop.test:8443?q=1',
      one,
      { kind: 'rewrite', url: '/?q=1', host: 'shop.test:8443' },
    ],
    ['GET', 'http://[::1]:80//x', one, { kind: 'rewrite', url: '//x', host: '[::1]:80' }],
    ['POST', 'http://127.0.0.1/p', [], { kind: 'rewrite', url: '/p', host: '127.0.0.1' }],
    ['GET', 'http://a/', ['Host', 'a', 'Host', 'a'], refused],
    ['GET', 'http://user:pw@www.shop.test/', one, refused],
    ['GET', 'http://user@www.shop.test/', one, refused],
    ['GET', 'http:///path', one, refused],
    ['GET', 'http://shop.test:80x/', one, refused],
    ['GET', 'http://[::1/', one, refused],
    ['GET', 'http://shop.test#f', one, refused],
    ['GET', 'ftp://shop.test/', one, refused],
    ['GET', 'ws://shop.test/', one, refused],
    ['GET', 'mailto:a@b.c', one, refused],
    ['GET', 'page', one, refused],
    ['GET', '', one, refused],
    ['OPTIONS', '*', one, { kind: 'server-options' }],
    ['GET', '*', one, refused],
    ['OPTIONS', '*', ['Host', 'a', 'Host', 'b'], refused],
  ])('%s %j %j → %j', (method, url, raw, expected) => {
    expect(readRequestHead(method, url, raw)).toEqual(expected);
  });
});
