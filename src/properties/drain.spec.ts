import { drainProblem, effectiveDrain, longestDrain } from './drain';

describe('the drain within the grace', () => {
  it.each([
    // grace, longest drain (2 s must remain after it)
    [1, 0],
    [2, 0],
    [3, 1],
    [9, 7],
    [10, 8],
    [300, 298],
  ])('a %i s grace allows a drain of at most %i s', (grace, longest) => {
    expect(longestDrain(grace)).toBe(longest);
  });

  it.each([
    // drain, grace, problem
    [0, 1, null],
    [7, 10, null],
    [8, 10, null],
    [298, 300, null],
    [
      9,
      10,
      'a drain of 9 s leaves 1 s of server.shutdownTimeoutSeconds (10 s) for the requests in flight and the last flush, which need at least 2 s: set at most 8, or raise server.shutdownTimeoutSeconds to at least 11',
    ],
    [
      7,
      5,
      'a drain of 7 s leaves nothing of server.shutdownTimeoutSeconds (5 s) for the requests in flight and the last flush, which need at least 2 s: set at most 3, or raise server.shutdownTimeoutSeconds to at least 9',
    ],
    [
      1,
      2,
      'a drain of 1 s leaves 1 s of server.shutdownTimeoutSeconds (2 s) for the requests in flight and the last flush, which need at least 2 s: set at most 0, or raise server.shutdownTimeoutSeconds to at least 3',
    ],
  ])('a drain of %i s in a %i s grace: %s', (drain, grace, problem) => {
    expect(drainProblem(drain, grace)).toBe(problem);
  });

  it.each([
    // drain, grace → the drain applied, shortened
    [7, 10, 7, false],
    [0, 10, 0, false],
    [7, 9, 7, false],
    [7, 8, 6, true],
    [7, 2, 0, true],
    [7, 1, 0, true],
  ])('the default %i s in a %i s grace drains %i s (shortened: %s)', (drain, grace, s, short) => {
    expect(effectiveDrain(drain, grace)).toEqual({ seconds: s, shortened: short });
  });
});
