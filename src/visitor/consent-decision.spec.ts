import { ConsentSource, consentCookieId, DecisionSource } from '../vocabulary/consent';
import { CookieKind } from '../vocabulary/cookie-catalog';
import type { ConsentState } from '../vocabulary/visitor-answers';
import type { ConsentSignal } from './consent-signal';
import { decideVisit, FoundValue } from './visit-decision';

/*
 * The consent step of decideVisit (SPEC §3, §15) over every combination of consent.source, the
 * CMP's signal (TCF: a string that grants or denies, gdprApplies false, a string that does not
 * decode; Consent Mode: default and update), GPC (honoured or not), consent.required, an
 * earlier recorded decision of each source, and an explicit consent() call. The expectation is
 * the SPEC's order of precedence, written as a list of rules; a few rows are spelt out below.
 */
type Stored = null | { granted: boolean; source: DecisionSource };
type Signal = ConsentSignal | null;

const tcf = (granted: boolean): ConsentSignal => ({
  kind: 'tcf',
  gdprApplies: true,
  granted,
  purposes: granted ? [1, 2] : [2],
});
const SIGNALS: Record<ConsentSource, Signal[]> = {
  PANTRY: [null],
  TCF: [null, tcf(true), tcf(false), { kind: 'tcf', gdprApplies: false }, { kind: 'tcf-invalid' }],
  GOOGLE_CONSENT_MODE: [true, false].flatMap((granted) => [
    null,
    { kind: 'gcm', phase: 'default', granted } as const,
    { kind: 'gcm', phase: 'update', granted } as const,
  ]),
};
const STORED: Stored[] = [
  null,
  ...(['pantry', 'tcf', 'gcm'] as const).flatMap((source) =>
    [true, false].map((granted) => ({ granted, source })),
  ),
];

interface Case {
  source: ConsentSource;
  signal: Signal;
  gpc: boolean;
  honorGpc: boolean;
  consentRequired: boolean;
  stored: Stored;
  decision: boolean | undefined;
}

/** The SPEC's precedence: the first rule that applies decides. */
function expected(c: Case): { consent: ConsentState; records: DecisionSource | null } {
  const gpc = c.gpc && c.honorGpc;
  const state = (granted: boolean): ConsentState => (granted ? 'granted' : 'denied');
  const recording = (granted: boolean, source: DecisionSource) => {
    const same =
      c.decision === undefined && c.stored?.granted === granted && c.stored.source === source;
    return { consent: state(granted), records: same ? null : source };
  };
  const s = c.signal;
  if (c.decision !== undefined) return recording(c.decision, 'pantry');
  if (s?.kind === 'tcf' && s.gdprApplies) return recording(s.granted, 'tcf');
  if (s?.kind === 'tcf-invalid') return recording(false, 'tcf');
  if (s?.kind === 'gcm' && s.phase === 'update') return recording(s.granted, 'gcm');
  if (s?.kind === 'tcf') return { consent: state(!gpc), records: null };
  if (c.stored) return { consent: state(c.stored.granted), records: null };
  if (s?.kind === 'gcm') return { consent: state(s.granted && !gpc), records: null };
  return { consent: gpc ? 'denied' : 'unset', records: null };
}

const cases: Case[] = [];
for (const source of ['PANTRY', 'TCF', 'GOOGLE_CONSENT_MODE'] as const)
  for (const signal of SIGNALS[source])
    for (const gpc of [false, true])
      for (const honorGpc of [true, false])
        for (const consentRequired of [true, false])
          for (const stored of STORED)
            for (const decision of signal === null ? [undefined, true, false] : [undefined])
              cases.push({ source, signal, gpc, honorGpc, consentRequired, stored, decision });

const found = (stored: Stored): Partial<Record<CookieKind, FoundValue>> => {
  const value = (id: string) => ({ id, current: true, value: `${id}.mac` });
  return {
    session: value('s'),
    device: value('d'),
    'anonymous-person': value('v'),
    ...(stored ? { consent: value(consentCookieId(stored.granted, stored.source)) } : {}),
  };
};

const decide = (c: Case) =>
  decideVisit({
    found: found(c.stored),
    present: new Set<CookieKind>(['device', 'anonymous-person']),
    decision: c.decision,
    source: c.source,
    signal: c.signal,
    gpc: c.gpc,
    honorGpc: c.honorGpc,
    consentRequired: c.consentRequired,
    newId: () => 'new',
  });

describe('the consent decision, every combination', () => {
  it(`covers ${cases.length} combinations`, () => expect(cases.length).toBeGreaterThan(300));

  it.each(cases.map((c) => [JSON.stringify(c), c] as const))('%s', (_name, c) => {
    const decision = decide(c);
    const want = expected(c);
    expect(decision.consent).toBe(want.consent);
    expect(decision.recorded?.source ?? null).toBe(want.records);
    const identity =
      want.consent === 'granted' ||
      (want.consent === 'unset' && !c.consentRequired && c.source === 'PANTRY');
    expect(decision.visitorId).toBe(identity ? 'v' : null);
    const consentAction = decision.actions.find((a) => a.kind === 'consent');
    if (want.records) {
      expect(consentAction).toEqual({
        kind: 'consent',
        op: 'resign',
        id: consentCookieId(want.consent === 'granted', want.records),
      });
    } else if (c.stored) {
      expect(consentAction).toEqual({ kind: 'consent', op: 'resend', value: expect.any(String) });
    } else expect(consentAction).toBeUndefined();
    // Refused identity deletes what came; allowed identity refreshes it.
    const ops = decision.actions.filter((a) => a.kind === 'anonymous-person').map((a) => a.op);
    expect(ops).toEqual([identity ? 'resend' : 'delete']);
  });

  it.each<[string, Partial<Case>, ConsentState, boolean]>([
    [
      'a TCF account before its CMP answers, consent.required false: no identity',
      { source: 'TCF', consentRequired: false },
      'unset',
      false,
    ],
    [
      'a recorded TCF grant, the CMP silent (its cookie gone): identity',
      { source: 'TCF', stored: { granted: true, source: 'tcf' } },
      'granted',
      true,
    ],
    [
      'a recorded grant, then the CMP withdraws',
      { source: 'TCF', stored: { granted: true, source: 'tcf' }, signal: tcf(false) },
      'denied',
      false,
    ],
    [
      'GPC and a TCF grant: the explicit grant wins',
      { source: 'TCF', gpc: true, signal: tcf(true) },
      'granted',
      true,
    ],
    [
      'GPC and a Consent Mode default grant: denied',
      {
        source: 'GOOGLE_CONSENT_MODE',
        gpc: true,
        signal: { kind: 'gcm', phase: 'default', granted: true },
      },
      'denied',
      false,
    ],
    [
      'a Consent Mode default denial does not undo a recorded grant',
      {
        source: 'GOOGLE_CONSENT_MODE',
        stored: { granted: true, source: 'gcm' },
        signal: { kind: 'gcm', phase: 'default', granted: false },
      },
      'granted',
      true,
    ],
  ])('%s', (_name, over, consent, identity) => {
    const c: Case = {
      source: 'PANTRY',
      signal: null,
      gpc: false,
      honorGpc: true,
      consentRequired: true,
      stored: null,
      decision: undefined,
      ...over,
    };
    const d = decide(c);
    expect([d.consent, d.visitorId !== null]).toEqual([consent, identity]);
  });
});
