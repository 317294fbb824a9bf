import { PerSecondCounts } from './per-second';

const T0 = 1_700_000_000_000;

describe(PerSecondCounts.name, () => {
  it('counts answers per second, refusals (4xx) and errors (5xx) apart', () => {
    const ring = new PerSecondCounts(10, T0);
    for (const status of [200, 204, 404, 401, 500]) ring.count(status);
    ring.tick(T0 + 1000);
    ring.count(200);
    ring.tick(T0 + 2000);
    expect(ring.snapshot(T0 + 2500)).toEqual([
      { at: T0 / 1000, requests: 5, refusals: 2, errors: 1 },
      { at: T0 / 1000 + 1, requests: 1, refusals: 0, errors: 0 },
    ]);
  });

  it('leaves out the second still counting, and seconds before the start', () => {
    const ring = new PerSecondCounts(10, T0);
    ring.count(200);
    expect(ring.snapshot(T0 + 999)).toEqual([]);
    expect(ring.snapshot(T0 + 1000)).toEqual([
      { at: T0 / 1000, requests: 1, refusals: 0, errors: 0 },
    ]);
  });

  it('gives quiet seconds as zeros, when the clock skipped them too', () => {
    const ring = new PerSecondCounts(10, T0);
    ring.count(200);
    ring.tick(T0 + 3000);
    ring.count(429);
    const seen = ring.snapshot(T0 + 4000);
    expect(seen.map((s) => [s.at - T0 / 1000, s.requests, s.refusals])).toEqual([
      [0, 1, 0],
      [1, 0, 0],
      [2, 0, 0],
      [3, 1, 1],
    ]);
  });

  it('keeps the last size − 1 complete seconds, overwriting the oldest', () => {
    const ring = new PerSecondCounts(5, T0);
    for (let s = 0; s < 12; s++) {
      ring.tick(T0 + s * 1000);
      for (let i = 0; i <= s; i++) ring.count(200);
    }
    const seen = ring.snapshot(T0 + 12_000);
    expect(seen.map((s) => [s.at - T0 / 1000, s.requests])).toEqual([
      [8, 9],
      [9, 10],
      [10, 11],
      [11, 12],
    ]);
  });

  it('after a stop longer than the ring, holds nothing old: the seconds since are zeros', () => {
    const ring = new PerSecondCounts(5, T0);
    ring.count(200);
    ring.tick(T0 + 60_000);
    expect(ring.snapshot(T0 + 61_000).map((s) => [s.at - T0 / 1000, s.requests])).toEqual([
      [57, 0],
      [58, 0],
      [59, 0],
      [60, 0],
    ]);
  });

  it('a clock going back changes nothing', () => {
    const ring = new PerSecondCounts(5, T0);
    ring.tick(T0 + 2000);
    ring.count(200);
    ring.tick(T0 + 1000);
    ring.count(200);
    expect(ring.snapshot(T0 + 3000).pop()).toEqual({
      at: T0 / 1000 + 2,
      requests: 2,
      refusals: 0,
      errors: 0,
    });
  });
});
