import { chosenId, RequestCookies, withFound } from './request-cookies';
import type { FoundValue } from './visit-decision';

const person: FoundValue = { id: 'p1', current: true, value: 'p1.sig' };
const base: RequestCookies = Object.freeze({
  found: Object.freeze({ 'anonymous-person': person, authsession: null }),
  present: new Set(['anonymous-person' as const]),
  authValues: ['enc'],
  dropAuthsession: false,
  rejected: [],
});

describe(withFound.name, () => {
  it.each<[string, Parameters<typeof withFound>[1], boolean | undefined, Partial<RequestCookies>]>([
    [
      'replaces one value, keeps the others',
      { authsession: { id: 's', current: true, value: 'v' } },
      undefined,
      {
        found: { 'anonymous-person': person, authsession: { id: 's', current: true, value: 'v' } },
        dropAuthsession: false,
      },
    ],
    [
      'clears a value',
      { 'anonymous-person': null },
      undefined,
      { found: { 'anonymous-person': null, authsession: null } },
    ],
    [
      'a chosen id is fresh',
      { 'anonymous-person': chosenId('p2') },
      undefined,
      {
        found: {
          'anonymous-person': { id: 'p2', current: false, value: '', fresh: true },
          authsession: null,
        },
      },
    ],
    ['sets dropAuthsession', {}, true, { found: base.found, dropAuthsession: true }],
  ])('%s, leaving the value it came from as it was', (_what, changes, drop, expected) => {
    const next = withFound(base, changes, drop);
    expect(next).toMatchObject(expected);
    expect(next.present).toBe(base.present);
    expect(base.found).toEqual({ 'anonymous-person': person, authsession: null });
    expect(base.dropAuthsession).toBe(false);
  });
});
