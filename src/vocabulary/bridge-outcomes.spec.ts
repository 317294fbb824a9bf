import { BRIDGE_FAILURES, isBridgeFailure } from './bridge-outcomes';

describe(isBridgeFailure.name, () => {
  it.each<[unknown, boolean]>([
    ...BRIDGE_FAILURES.map((reason): [unknown, boolean] => [reason, true]),
    ['bridged', false],
    ['issued', false],
    ['ALREADY_IDENTIFIED', false],
    ['already_identified ', false],
    ['', false],
    ['x'.repeat(300), false],
    [undefined, false],
    [null, false],
    [42, false],
    [{ toString: () => 'used' }, false],
  ])('%p → %p', (value, expected) => {
    expect(isBridgeFailure(value)).toBe(expected);
  });

  it('names the two reasons of issue 24', () => {
    expect(BRIDGE_FAILURES).toEqual(expect.arrayContaining(['already_identified', 'unavailable']));
  });
});
