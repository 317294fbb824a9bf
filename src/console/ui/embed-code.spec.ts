import { embedCode, type EmbedInput } from './embed-code';

const base: EmbedInput = {
  mode: 'subdomain',
  apiKey: 'shop-key-0001',
  prefix: '/unblu',
  server: 'https://cookies.shop.com',
  keeper: false,
};

describe(embedCode.name, () => {
  it.each<[string, Partial<EmbedInput>, string]>([
    [
      'subdomain: the server the operator names',
      {},
      '<script src="https://cookies.shop.com/unblu/visitor.js?x-unblu-apikey=shop-key-0001" defer></script>',
    ],
    [
      'cross-site, a trailing slash dropped',
      { mode: 'cross-site', server: 'https://pantry.saas.io/ ' },
      '<script src="https://pantry.saas.io/unblu/visitor.js?x-unblu-apikey=shop-key-0001" defer></script>',
    ],
    [
      'subdomain without a server: a placeholder, never the console’s own address',
      { server: '' },
      '<script src="https://cookies.example.com/unblu/visitor.js?x-unblu-apikey=shop-key-0001" defer></script>',
    ],
    [
      'same-origin: the proxy’s /pantry path',
      { mode: 'same-origin' },
      '<script src="/pantry/unblu/visitor.js?x-unblu-apikey=shop-key-0001" defer></script>',
    ],
    [
      'document mode: the page’s own origin, another prefix',
      { mode: 'document', prefix: 'cookies/' },
      '<script src="/cookies/visitor.js?x-unblu-apikey=shop-key-0001" defer></script>',
    ],
    [
      'edge mode: the snippet through the site’s nginx at /pantry',
      { mode: 'edge' },
      '<script src="/pantry/unblu/visitor.js?x-unblu-apikey=shop-key-0001" defer></script>',
    ],
    [
      'document mode with the keeper: no keep.js, the document sets the kept ids',
      { mode: 'document', keeper: true },
      [
        '<!-- document mode: the page’s own response puts the kept analytics ids back -->',
        '<script src="/unblu/visitor.js?x-unblu-apikey=shop-key-0001" defer></script>',
      ].join('\n'),
    ],
    [
      'edge mode with the keeper: no keep.js, the document sets the kept ids',
      { mode: 'edge', keeper: true },
      [
        '<!-- edge mode: the page’s own response puts the kept analytics ids back -->',
        '<script src="/pantry/unblu/visitor.js?x-unblu-apikey=shop-key-0001" defer></script>',
      ].join('\n'),
    ],
    [
      'a key is URL-encoded',
      { mode: 'document', apiKey: 'a&b"<c' },
      '<script src="/unblu/visitor.js?x-unblu-apikey=a%26b%22%3Cc" defer></script>',
    ],
    [
      'the keeper: keep.js first, synchronous',
      { keeper: true },
      [
        '<!-- first, before the analytics SDKs: puts their kept ids back -->',
        '<script src="https://cookies.shop.com/unblu/v1/keep.js?x-unblu-apikey=shop-key-0001"></script>',
        '<script src="https://cookies.shop.com/unblu/visitor.js?x-unblu-apikey=shop-key-0001" defer></script>',
      ].join('\n'),
    ],
  ])('%s', (_name, change, expected) => {
    expect(embedCode({ ...base, ...change })).toBe(expected);
  });
});
