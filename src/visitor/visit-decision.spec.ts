import { CookieKind } from '../vocabulary/cookie-catalog';
import { CookieAction, decideVisit, FoundValue, VisitInput } from './visit-decision';

const valid = (id: string, current = true): FoundValue => ({ id, current, value: `${id}.mac` });

function input(over: Partial<VisitInput> = {}): VisitInput {
  let n = 0;
  return {
    found: {},
    present: new Set<CookieKind>(),
    decision: undefined,
    source: 'PANTRY',
    signal: null,
    gpc: false,
    consentRequired: false,
    honorGpc: true,
    newId: () => `new${++n}`,
    ...over,
  };
}

/** Actions as short strings: `device:issue:new1`, `session:resend`, `device:delete`. */
const brief = (actions: CookieAction[]) =>
  actions.map((a) =>
    a.op === 'delete'
      ? `${a.kind}:delete`
      : a.op === 'resend'
        ? `${a.kind}:resend`
        : `${a.kind}:${a.op}:${a.id}`,
  );

describe(decideVisit.name, () => {
  it.each<[string, Partial<VisitInput>, string[], Partial<ReturnType<typeof decideVisit>>]>([
    [
      'a new visitor, consent not required: device, visitor and session issued',
      {},
      ['device:issue:new1', 'anonymous-person:issue:new2', 'session:issue:new3'],
      {
        consent: 'unset',
        deviceId: 'new1',
        visitorId: 'new2',
        sessionId: 'new3',
        issued: ['device', 'anonymous-person', 'session'],
      },
    ],
    [
      'a new visitor, consent required and unset: only the session',
      { consentRequired: true },
      ['session:issue:new1'],
      { consent: 'unset', deviceId: null, visitorId: null, issued: ['session'] },
    ],
    [
      'a returning visitor: durable cookies re-sent as they came, the session left alone',
      { found: { device: valid('d'), 'anonymous-person': valid('v'), session: valid('s') } },
      ['device:resend', 'anonymous-person:resend'],
      { deviceId: 'd', visitorId: 'v', sessionId: 's', issued: [] },
    ],
    [
      'values signed by an older secret are re-signed, the session too',
      {
        found: {
          device: valid('d', false),
          'anonymous-person': valid('v'),
          session: valid('s', false),
        },
      },
      ['device:resign:d', 'anonymous-person:resend', 'session:resign:s'],
      { issued: [] },
    ],
    [
      'a stored consent is refreshed and lets identity through',
      { consentRequired: true, found: { consent: valid('granted'), session: valid('s') } },
      ['consent:resend', 'device:issue:new1', 'anonymous-person:issue:new2'],
      { consent: 'granted', deviceId: 'new1' },
    ],
    [
      'Global Privacy Control counts as denied: identity cookies that arrived are deleted',
      { gpc: true, present: new Set<CookieKind>(['device']), found: { session: valid('s') } },
      ['device:delete'],
      { consent: 'denied', deviceId: null, visitorId: null },
    ],
    [
      'GPC ignored when the account does not honour it',
      { gpc: true, honorGpc: false, found: { session: valid('s') } },
      ['device:issue:new1', 'anonymous-person:issue:new2'],
      { consent: 'unset' },
    ],
    [
      'an explicit grant beats GPC and a stored denial',
      { decision: true, gpc: true, found: { consent: valid('denied'), session: valid('s') } },
      ['consent:resign:granted', 'device:issue:new1', 'anonymous-person:issue:new2'],
      { consent: 'granted' },
    ],
    [
      'a revocation deletes the gated cookies, valid or not',
      {
        decision: false,
        present: new Set<CookieKind>(['device', 'anonymous-person']),
        found: { device: valid('d'), 'anonymous-person': valid('v'), session: valid('s') },
      },
      ['consent:resign:denied', 'device:delete', 'anonymous-person:delete'],
      { consent: 'denied', deviceId: null, visitorId: null },
    ],
    [
      'a valid authsession is refreshed, never issued',
      {
        found: {
          session: valid('s'),
          authsession: valid('a'),
          device: valid('d'),
          'anonymous-person': valid('v'),
        },
      },
      ['device:resend', 'anonymous-person:resend', 'authsession:resend'],
      { issued: [] },
    ],
    [
      'an authsession that is no live session is deleted',
      { found: { session: valid('s') }, dropAuthsession: true },
      ['device:issue:new1', 'anonymous-person:issue:new2', 'authsession:delete'],
      {},
    ],
    [
      'a login on a fresh browser: the id and session it chose are issued and listed',
      {
        found: {
          'anonymous-person': { id: 'linked', current: false, value: '', fresh: true },
          authsession: { id: 'a', current: true, value: 'a.enc', fresh: true },
        },
      },
      [
        'device:issue:new1',
        'anonymous-person:resign:linked',
        'session:issue:new2',
        'authsession:resend',
      ],
      {
        visitorId: 'linked',
        issued: ['device', 'anonymous-person', 'session', 'authsession'],
      },
    ],
    [
      'a login of a returning visitor: only its new session is listed',
      {
        found: {
          device: valid('d'),
          'anonymous-person': valid('v'),
          session: valid('s'),
          authsession: { id: 'a', current: true, value: 'a.enc', fresh: true },
        },
      },
      ['device:resend', 'anonymous-person:resend', 'authsession:resend'],
      { visitorId: 'v', issued: ['authsession'] },
    ],
  ])('%s', (_what, over, actions, expected) => {
    const decision = decideVisit(input(over));
    expect(brief(decision.actions)).toEqual(actions);
    expect(decision).toMatchObject(expected);
  });
});
