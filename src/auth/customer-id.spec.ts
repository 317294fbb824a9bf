import {
  CUSTOMER_ID_MAX_ENCODED_LENGTH,
  CUSTOMER_ID_MAX_LENGTH,
  customerIdProblem,
} from './customer-id';

describe(customerIdProblem.name, () => {
  it.each<[string, string]>([
    ['a plain id', 'customer-42'],
    ['an e-mail address', 'alice@example.com'],
    ['one character', 'x'],
    ['exactly the limit', 'c'.repeat(CUSTOMER_ID_MAX_LENGTH)],
    ['the limit in emoji (two UTF-16 units each)', '😀'.repeat(CUSTOMER_ID_MAX_LENGTH)],
    ['the limit in 3-byte characters', '€'.repeat(CUSTOMER_ID_MAX_LENGTH)],
    ['inner spaces', 'Alice Smith'],
    ['an emoji sequence joined by ZWJ', '👨\u200d👩\u200d👧'],
    ['a placeholder word inside a longer id', 'null-customer'],
    ['non-Latin script', '顧客-42'],
  ])('accepts %s', (_what, id) => {
    expect(customerIdProblem(id)).toBeNull();
  });

  it.each<[string, unknown, RegExp]>([
    ['not a string', 42, /not a string/],
    ['empty', '', /empty/],
    ['spaces', '   ', /invisible/],
    ['a tab and newlines', '\t\n\r', /control/],
    ['zero-width spaces', '\u200b\u200b\u200b', /invisible/],
    ['a zero-width joiner and non-joiner', '\u200d\u200c', /invisible/],
    ['a byte-order mark', '\ufeff', /invisible/],
    ['bidi marks', '\u200e\u200f\u202a\u202c', /invisible/],
    ['word joiner and invisible operators', '\u2060\u2062\u2063', /invisible/],
    ['no-break and ideographic spaces', '\u00a0\u3000\u2007', /invisible/],
    ['line and paragraph separators', '\u2028\u2029', /invisible/],
    ['a soft hyphen', '\u00ad', /invisible/],
    ['Mongolian vowel separator', '\u180e', /invisible/],
    ['a NUL inside', 'a\u0000b', /control/],
    ['DEL', 'a\u007fb', /control/],
    ['a C1 control', 'a\u0085b', /control/],
    ['a lone surrogate', 'a\ud800b', /control/],
    ['one over the limit', 'c'.repeat(CUSTOMER_ID_MAX_LENGTH + 1), /over 256/],
    ['one emoji over the limit', '😀'.repeat(CUSTOMER_ID_MAX_LENGTH + 1), /over 256/],
    ['2 KB', 'c'.repeat(2048), /over 256/],
    ['"null"', 'null', /placeholder/],
    ['"undefined"', 'undefined', /placeholder/],
    ['"Anonymous"', 'Anonymous', /placeholder/],
    ['"0"', '0', /placeholder/],
    ['a placeholder wrapped in invisible characters', '\u200b null \ufeff', /placeholder/],
  ])('refuses %s', (_what, id, problem) => {
    expect(customerIdProblem(id)).toMatch(problem);
  });

  it('allows the longest valid id, percent-encoded, through the router', () => {
    const longest = encodeURIComponent('😀'.repeat(CUSTOMER_ID_MAX_LENGTH));
    expect(longest.length).toBe(CUSTOMER_ID_MAX_ENCODED_LENGTH);
  });
});
