import fc from 'fast-check';
import { cookieCandidates, parseCookieHeader } from './cookie-header';

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

  it('reads a bounded amount of an oversized header', () => {
    const huge = Array.from({ length: 5000 }, (_, i) => `c${i}=v`).join('; ');
    const pairs = parseCookieHeader(huge);
    expect(pairs.length).toBeLessThanOrEqual(200);
    expect(pairs[0]).toEqual(['c0', 'v']);
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

  it('skips names it does not want', () => {
    const c = cookieCandidates('a=1; b=2', 'b=3; c=4', new Set(['b']));
    expect([...c]).toEqual([['b', ['2', '3']]]);
  });
});
