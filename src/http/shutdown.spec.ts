import { shutdownBudget } from './shutdown';

describe(shutdownBudget.name, () => {
  it.each([
    // grace, drain: the rest (at most half, at most 3 s) is for the last flush
    [1_000, 500],
    [2_000, 1_000],
    [6_000, 3_000],
    [10_000, 7_000],
    [30_000, 27_000],
    [300_000, 297_000],
  ])('a %i ms grace drains connections for %i ms', (grace, drain) => {
    expect(shutdownBudget(grace)).toEqual({ drainMs: drain });
  });
});
