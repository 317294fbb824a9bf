import { decideLoginLinks, Link, LoginInput } from './linking';

const links = (...entries: Array<[string, number]>): Link[] =>
  entries.map(([visitorId, lastSeen]) => ({ visitorId, lastSeen }));

function input(over: Partial<LoginInput>): LoginInput {
  return {
    customerId: 'alice',
    visitorId: 'v-device',
    visitorOwner: null,
    customerLinks: [],
    maxLinks: 64,
    newId: () => 'v-fresh',
    ...over,
  };
}

describe(decideLoginLinks.name, () => {
  it.each<[string, Partial<LoginInput>, { visitorId: string; fresh: boolean; unlink: string[] }]>([
    [
      'a first login links the device’s id',
      {},
      { visitorId: 'v-device', fresh: false, unlink: [] },
    ],
    [
      'the same customer again: the same id, nothing unlinked',
      { visitorOwner: 'alice', customerLinks: links(['v-device', 5]) },
      { visitorId: 'v-device', fresh: false, unlink: [] },
    ],
    [
      'another customer on a device linked to someone else: a fresh id, never a merge',
      { customerId: 'bob', visitorOwner: 'alice' },
      { visitorId: 'v-fresh', fresh: true, unlink: [] },
    ],
    [
      'at the cap: the least recently seen id is unlinked',
      { maxLinks: 3, customerLinks: links(['old', 1], ['mid', 5], ['new', 9]) },
      { visitorId: 'v-device', fresh: false, unlink: ['old'] },
    ],
    [
      'far over the cap (lowered since): all the oldest go',
      { maxLinks: 2, customerLinks: links(['a', 1], ['b', 2], ['c', 3], ['d', 4]) },
      { visitorId: 'v-device', fresh: false, unlink: ['c', 'b', 'a'] },
    ],
    [
      'at the cap, but the id is already linked: nothing to evict',
      { maxLinks: 2, visitorOwner: 'alice', customerLinks: links(['v-device', 1], ['x', 2]) },
      { visitorId: 'v-device', fresh: false, unlink: [] },
    ],
    [
      'a cap of one: only the current id stays',
      { maxLinks: 1, customerLinks: links(['a', 1], ['b', 2]) },
      { visitorId: 'v-device', fresh: false, unlink: ['b', 'a'] },
    ],
  ])('%s', (_what, over, expected) => {
    expect(decideLoginLinks(input(over))).toEqual(expected);
  });
});
