import { flushAtShutdown } from './last-flush';

describe(flushAtShutdown.name, () => {
  /** A queue of `size` entries whose first `failing` flushes fail (and keep everything). */
  const queue = (size: number, failing: number) => {
    let left = size;
    let flushes = 0;
    return {
      flush: () => {
        flushes++;
        if (flushes > failing) left = 0;
        return Promise.resolve();
      },
      unwritten: () => left,
      flushes: () => flushes,
    };
  };

  it.each([
    ['nothing queued: one flush', 0, 0, 1, 0],
    ['written at once', 120, 0, 1, 0],
    ['one failed batch (a deadlock), written on the second try', 120, 1, 2, 0],
    ['failed twice, written on the third', 120, 2, 3, 0],
    ['still failing after three tries: what is left', 120, 5, 3, 120],
  ])('%s', async (_what, size, failing, flushes, left) => {
    const q = queue(size, failing);
    expect(await flushAtShutdown(q.flush, q.unwritten, 3, 1)).toBe(left);
    expect(q.flushes()).toBe(flushes);
  });
});
