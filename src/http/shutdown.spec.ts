import { shutdownBudget } from './shutdown';

describe(shutdownBudget.name, () => {
  it.each([
    // grace, drain → busy connections closed at (from the signal); the rest, at most half of
    // what the drain leaves and at most 3 s, is for the last flush
    [1_000, 0, 500],
    [2_000, 0, 1_000],
    [6_000, 0, 3_000],
    [10_000, 0, 7_000],
    [30_000, 0, 27_000],
    [300_000, 0, 297_000],
    // the default: a 7 s drain in the 10 s grace leaves 1.5 s for requests, 1.5 s for the flush
    [10_000, 7_000, 8_500],
    [10_000, 8_000, 9_000],
    [30_000, 7_000, 27_000],
    [300_000, 298_000, 299_000],
  ])('a %i ms grace with a %i ms drain closes busy connections at %i ms', (grace, drain, at) => {
    expect(shutdownBudget(grace, drain)).toEqual({ drainMs: drain, connectionsMs: at });
  });
});
