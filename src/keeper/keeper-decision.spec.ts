import { KeeperSetting } from '../vocabulary/keeper';
import { decideKept, KeeperInput, needsStored } from './keeper-decision';

const UUID = '0b7f3c52-3f0e-4f6e-9a43-5c1d2f9e8a10';
const GA = 'GA1.1.123456789.1700000000';
const SETTINGS: KeeperSetting[] = [{ adapter: 'ga' }, { adapter: 'segment' }];
const base: KeeperInput = {
  settings: SETTINGS,
  derive: false,
  visitorId: 'v1',
  denied: false,
  present: [],
  stored: null,
  nowSeconds: 1_800_000_000,
};
const ga = { adapter: 'ga', name: '_ga', value: GA };
const ajs = { adapter: 'segment', name: 'ajs_anonymous_id', value: UUID };

describe(decideKept.name, () => {
  const cases: Array<[string, Partial<KeeperInput>, Array<[string, string | null, string]>]> = [
    [
      'refreshes what came',
      { present: [ga, ajs] },
      [
        ['_ga', GA, 'kept'],
        ['ajs_anonymous_id', UUID, 'kept'],
      ],
    ],
    [
      'restores what the browser lost',
      {
        present: [ga],
        stored: [
          ['_ga', 'GA1.1.1.1'],
          ['ajs_anonymous_id', UUID],
        ],
      },
      [
        ['_ga', GA, 'kept'],
        ['ajs_anonymous_id', UUID, 'restored'],
      ],
    ],
    [
      'never restores a stored value its adapter refuses',
      {
        stored: [
          ['_ga', 'GA1.1.x;y'],
          ['ajs_anonymous_id', 'a b'],
        ],
      },
      [],
    ],
    [
      'never restores a cookie no setting keeps any more',
      { settings: [{ adapter: 'ga' }], stored: [['ajs_anonymous_id', UUID]] },
      [],
    ],
    [
      'derives a setting never seen',
      { derive: true, stored: [] },
      [
        ['_ga', expect.stringMatching(/^GA1\.1\.\d{1,10}\.1800000000$/), 'derived'],
        ['ajs_anonymous_id', 'v1', 'derived'],
      ],
    ],
    ['derives nothing while the stored values are unknown', { derive: true, stored: null }, []],
    [
      'derives nothing for a stored one',
      { derive: true, stored: [['ajs_anonymous_id', UUID]] },
      [
        ['ajs_anonymous_id', UUID, 'restored'],
        ['_ga', expect.any(String), 'derived'],
      ],
    ],
    [
      'does nothing without identity, not denied',
      { visitorId: null, present: [ga], stored: [['ajs_anonymous_id', UUID]] },
      [],
    ],
    [
      'deletes what came and what is stored when denied',
      {
        visitorId: null,
        denied: true,
        present: [ga],
        stored: [
          ['_ga', GA],
          ['ajs_anonymous_id', UUID],
        ],
      },
      [
        ['_ga', null, 'deleted'],
        ['ajs_anonymous_id', null, 'deleted'],
      ],
    ],
  ];
  it.each(cases)('%s', (_name, input, expected) => {
    const { writes } = decideKept({ ...base, ...input });
    expect(writes.map((w) => [w.name, w.value, w.outcome])).toEqual(expected);
  });

  it('learns what came and what it derived, never what it restored', () => {
    const { learn } = decideKept({
      ...base,
      derive: true,
      present: [ga],
      stored: [['ajs_anonymous_id', UUID]],
    });
    expect(learn).toEqual([ga]);
    expect(decideKept({ ...base, derive: true, stored: [] }).learn.map((c) => c.name)).toEqual([
      '_ga',
      'ajs_anonymous_id',
    ]);
  });

  it('sets at most 16 cookies', () => {
    const settings: KeeperSetting[] = [{ adapter: 'posthog' }];
    const stored = Array.from(
      { length: 40 },
      (_, i) => [`ph_t${i}_posthog`, '%7B%22distinct_id%22%3A%22a%22%7D'] as const,
    );
    expect(decideKept({ ...base, settings, stored }).writes).toHaveLength(16);
  });
});

describe(needsStored.name, () => {
  it.each([
    ['every setting came', [ga, ajs], false],
    ['one is missing', [ga], true],
    ['none came', [], true],
  ] as const)('%s', (_name, present, expected) => {
    expect(needsStored(SETTINGS, present)).toBe(expected);
  });
});
