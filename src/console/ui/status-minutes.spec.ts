import { perMinute, type Second } from './status-minutes';

const s = (at: string, requests: number, refusals = 0, errors = 0): Second => ({
  at,
  requests,
  refusals,
  errors,
});

describe(perMinute.name, () => {
  it.each<[string, Second[], ReturnType<typeof perMinute>]>([
    ['nothing yet', [], []],
    [
      'a minute seen in part: averaged over its seconds',
      [s('2026-12-01T15:00:58.000Z', 4, 1), s('2026-12-01T15:00:59.000Z', 2, 1)],
      [{ minute: '15:00', seconds: 2, requests: 3, refusals: 1, errors: 0 }],
    ],
    [
      'newest minute first, rounded to hundredths',
      [
        s('2026-12-01T14:59:59.000Z', 1),
        s('2026-12-01T15:00:00.000Z', 1, 0, 1),
        s('2026-12-01T15:00:01.000Z', 0),
        s('2026-12-01T15:00:02.000Z', 0),
      ],
      [
        { minute: '15:00', seconds: 3, requests: 0.33, refusals: 0, errors: 0.33 },
        { minute: '14:59', seconds: 1, requests: 1, refusals: 0, errors: 0 },
      ],
    ],
    ['an unreadable time is skipped', [s('yesterday', 5)], []],
  ])('%s', (_name, seconds, expected) => {
    expect(perMinute(seconds)).toEqual(expected);
  });
});
