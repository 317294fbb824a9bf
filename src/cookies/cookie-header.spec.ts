import fc from 'fast-check';
import {
  cookieCandidates,
  MAX_COOKIE_HEADER_LENGTH,
  MAX_VALUES_PER_NAME,
  parseCookieHeader,
} from './cookie-header';

describe(parseCookieHeader.name, () => {
  it.each<[string, string | string[] | undefined, Array<[string, string]>]>([
    ['absent', undefined, []],
    ['empty', '', []],
    ['one pair', 'a=1', [['a', '1']]],
    [
      'several, with spaces',
      ' a=1 ;b = 2;  c=3 ',
      [
        ['a', '1'],
        ['b', '2'],
        ['c', '3'],
      ],
    ],
    [
      'duplicates kept in order',
      'a=1; a=2',
      [
        ['a', '1'],
        ['a', '2'],
      ],
    ],
    ['quoted value', 'a="x.y"', [['a', 'x.y']]],
    ['empty value', 'a=', [['a', '']]],
    ['value with =', 'a=b=c', [['a', 'b=c']]],
    ['empty name skipped', '=x; b=2', [['b', '2']]],
    ['no = skipped', 'flag; b=2', [['b', '2']]],
    ['name with space skipped', 'a b=1; c=3', [['c', '3']]],
    ['non-ASCII name skipped', 'é=1; c=3', [['c', '3']]],
    ['percent junk kept raw', 'a=%E0%A4%A', [['a', '%E0%A4%A']]],
    [
      'array of headers',
      ['a=1', 'b=2'],
      [
        ['a', '1'],
        ['b', '2'],
      ],
    ],
  ])('%s', (_what, header, expected) => {
    expect(parseCookieHeader(header)).toEqual(expected);
  });

  it('reads every pair of a real header, however many come first', () => {
    const many = Array.from({ length: 1200 }, (_, i) => `c${i}=v`).join('; ');
    const pairs = parseCookieHeader(`${many}; last=1`);
    expect(pairs).toHaveLength(1201);
    expect(pairs[1200]).toEqual(['last', '1']);
  });

  it('reads a bounded amount of an oversized header', () => {
    const huge = Array.from({ length: 20000 }, (_, i) => `c${i}=v`).join('; ');
    const pairs = parseCookieHeader(huge);
    expect(pairs[0]).toEqual(['c0', 'v']);
    expect(pairs.length).toBeLessThan(20000);
    expect(pairs.map(([n, v]) => `${n}=${v}`).join('; ').length).toBeLessThanOrEqual(
      MAX_COOKIE_HEADER_LENGTH,
    );
  });

  it('never throws and only yields token names', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 500 }), fc.string({ maxLength: 200, unit: 'grapheme' })),
        (h) => {
          for (const [name] of parseCookieHeader(h)) {
            expect(name).toMatch(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/);
          }
        },
      ),
    );
  });
});

describe(cookieCandidates.name, () => {
  it('lists Cookie values before echo values for the same name', () => {
    const c = cookieCandidates('x-unblu-session=fromCookie; other=1', 'x-unblu-session=fromEcho');
    expect(c.get('x-unblu-session')).toEqual(['fromCookie', 'fromEcho']);
    expect(c.get('other')).toEqual(['1']);
  });

  it("finds a wanted cookie behind hundreds of the site's own, in both headers", () => {
    const site = Array.from({ length: 400 }, (_, i) => `site_cookie_${i}=${'x'.repeat(20)}`);
    const c = cookieCandidates(
      [...site, 'x-unblu-device=d'].join('; '),
      [...site, 'x-unblu-session=s'].join('; '),
      new Set(['x-unblu-device', 'x-unblu-session']),
    );
    expect(c.get('x-unblu-device')).toEqual(['d']);
    expect(c.get('x-unblu-session')).toEqual(['s']);
  });

  it(`keeps at most ${MAX_VALUES_PER_NAME} values of one name`, () => {
    const repeated = Array.from({ length: 1000 }, (_, i) => `a=${i}`).join('; ');
    expect(cookieCandidates(repeated, 'a=echo').get('a')).toEqual(
      Array.from({ length: MAX_VALUES_PER_NAME }, (_, i) => String(i)),
    );
  });

  it('skips names it does not want', () => {
    const c = cookieCandidates('a=1; b=2', 'b=3; c=4', new Set(['b']));
    expect([...c]).toEqual([['b', ['2', '3']]]);
  });
});
