import { gcmChanges, gcmCommand, gcmStart, gcmState, type Signal, tcfSignal } from './cmp-signals';

const TC = 'CQAAAAAQAAAAAAGABBENBbFgAP_AAEPAAAAAAAAAAAAA.IAAA';
const OTHER = 'CQBBBBBQBBBBBAGABBENBbFgAP_AAEPAAAAAAAAAAAAA.IAAA';
const args = (...a: unknown[]) =>
  (function (..._: unknown[]) {
    // eslint-disable-next-line prefer-rest-params
    return arguments;
  })(...a);

describe('tcfSignal: what one __tcfapi addEventListener callback asks the snippet to send', () => {
  const data = (eventStatus: string, tcString?: unknown, gdprApplies: unknown = true) => ({
    eventStatus,
    tcString,
    gdprApplies,
  });
  it.each<[string, unknown, unknown, Signal | undefined, Signal | undefined]>([
    // name, data, ok, sent before, asked
    ['tcloaded: the TC string', data('tcloaded', TC), true, undefined, TC],
    ['useractioncomplete: the TC string', data('useractioncomplete', TC), true, undefined, TC],
    ['the same string again: nothing', data('useractioncomplete', TC), true, TC, undefined],
    ['a new string (a withdrawal): sent', data('useractioncomplete', OTHER), true, TC, OTHER],
    ['gdprApplies false: 0', data('tcloaded', undefined, false), true, undefined, '0'],
    [
      'gdprApplies false again: nothing',
      data('useractioncomplete', '', false),
      true,
      '0',
      undefined,
    ],
    ['gdprApplies false after a string: 0', data('useractioncomplete', '', false), true, TC, '0'],
    ['cmpuishown first: no header', data('cmpuishown', ''), true, undefined, null],
    ['cmpuishown after a string: nothing', data('cmpuishown', ''), true, TC, undefined],
    ['cmpuishown after no header: nothing', data('cmpuishown', ''), true, null, undefined],
    ['after no header, the answer: the string', data('useractioncomplete', TC), true, null, TC],
    ['tcloaded without a string first: no header', data('tcloaded', ''), true, undefined, null],
    ['tcloaded without a string later: nothing', data('tcloaded', ''), true, TC, undefined],
    ['a string that is no string: no header', data('tcloaded', 42), true, undefined, null],
    ['success false: nothing', data('tcloaded', TC), false, undefined, undefined],
    ['no data: nothing', null, true, undefined, undefined],
    ['data no object: nothing', 'tcloaded', true, undefined, undefined],
    ['another event status: nothing', data('loading', TC), true, undefined, undefined],
  ])('%s', (_name, d, ok, sent, asked) => {
    expect(tcfSignal(d, ok, sent)).toBe(asked);
  });
});

describe('gcmCommand: a dataLayer entry as a Consent Mode command for the type', () => {
  const type = 'analytics_storage';
  it.each<[string, unknown, string | null]>([
    ['gtag default', args('consent', 'default', { analytics_storage: 'denied' }), 'default=denied'],
    ['gtag update', args('consent', 'update', { analytics_storage: 'granted' }), 'update=granted'],
    ['an array', ['consent', 'update', { analytics_storage: 'denied' }], 'update=denied'],
    [
      'among other types',
      args('consent', 'update', { ad_storage: 'denied', analytics_storage: 'granted' }),
      'update=granted',
    ],
    ['another type only', args('consent', 'update', { ad_storage: 'granted' }), null],
    [
      'a regional default',
      args('consent', 'default', { analytics_storage: 'denied', region: ['ES'] }),
      null,
    ],
    [
      'a regional update still counts',
      args('consent', 'update', { analytics_storage: 'denied', region: ['ES'] }),
      'update=denied',
    ],
    ['a state no state', args('consent', 'update', { analytics_storage: 'yes' }), null],
    ['no parameters', args('consent', 'update'), null],
    ['parameters no object', args('consent', 'update', 'granted'), null],
    ['another verb', args('consent', 'revoke', { analytics_storage: 'denied' }), null],
    ['another command', args('config', 'G-XXXX', { analytics_storage: 'granted' }), null],
    ['a GTM event object', { event: 'gtm.js' }, null],
    ['a string', 'consent', null],
    ['null', null, null],
  ])('%s', (_name, entry, command) => {
    expect(gcmCommand(entry, type)).toBe(command);
  });
});

describe('gcmStart: the first identify’s signal from the dataLayer already there', () => {
  const d = (state: string) => args('consent', 'default', { analytics_storage: state });
  const u = (state: string) => args('consent', 'update', { analytics_storage: state });
  it.each<[string, unknown[], Signal]>([
    ['empty', [], null],
    ['a default', [d('denied')], 'default=denied'],
    ['the last default', [d('denied'), d('granted')], 'default=granted'],
    ['an update over a default', [d('denied'), u('granted')], 'update=granted'],
    ['an update before a default still wins', [u('granted'), d('denied')], 'update=granted'],
    ['the last update', [u('granted'), u('denied')], 'update=denied'],
    ['other entries only', [{ event: 'gtm.js' }, args('js', new Date())], null],
  ])('%s', (_name, entries, signal) => {
    expect(gcmStart(entries, 'analytics_storage')).toBe(signal);
  });
});

describe('gcmChanges: whether a signal changes what an answer says', () => {
  it.each<[Signal, string | null, boolean]>([
    [null, 'granted', false],
    [null, null, false],
    ['update=granted', 'granted', false],
    ['update=granted', 'denied', true],
    ['update=granted', 'unset', true],
    ['update=denied', 'granted', true],
    ['update=denied', null, true],
    ['default=granted', 'unset', true],
    ['default=granted', null, true],
    ['default=granted', 'denied', false],
    ['default=denied', 'granted', false],
    ['default=denied', 'denied', false],
  ])('%s over %s: %s', (signal, consent, changes) => {
    expect(gcmChanges(signal, consent)).toBe(changes);
  });

  it('gcmState names the state', () => {
    expect([gcmState('update=denied'), gcmState(null), gcmState(undefined)]).toEqual([
      'denied',
      undefined,
      undefined,
    ]);
  });
});
