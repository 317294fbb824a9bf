import { CookieKind } from './cookie-catalog';
import { cookieName, NamingInput } from './cookie-naming';

const base: NamingInput = {
  prefix: 'x-unblu-',
  override: null,
  multiAccount: true,
  accountScoped: true,
  apiKey: 'MZsy5sFESYqU7MawXZgR_w',
};

describe(cookieName.name, () => {
  it.each<[string, CookieKind, Partial<NamingInput>, string]>([
    [
      'multi-account, scoped (SPEC example)',
      'session',
      {},
      'x-unblu-MZsy5sFESYqU7MawXZgR_w-session',
    ],
    [
      'multi-account, scoped, two-word kind',
      'anonymous-person',
      {},
      'x-unblu-MZsy5sFESYqU7MawXZgR_w-anonymous-person',
    ],
    ['multi-account, not scoped', 'lang', { accountScoped: false }, 'x-unblu-lang'],
    ['single-account', 'session', { multiAccount: false }, 'x-unblu-session'],
    [
      'single-account ignores scoping',
      'device',
      { multiAccount: false, accountScoped: true },
      'x-unblu-device',
    ],
    ['custom prefix', 'device', { prefix: 'acme_', multiAccount: false }, 'acme_device'],
    ['empty prefix', 'consent', { prefix: '', multiAccount: false }, 'consent'],
    [
      'override replaces the part after the prefix',
      'device',
      { override: 'dev', apiKey: 'k1234567' },
      'x-unblu-k1234567-dev',
    ],
    [
      'override, single-account',
      'anonymous-person',
      { override: 'visitor', multiAccount: false },
      'x-unblu-visitor',
    ],
  ])('%s', (_what, kind, input, expected) => {
    expect(cookieName(kind, { ...base, ...input })).toBe(expected);
  });
});
