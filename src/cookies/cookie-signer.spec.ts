import fc from 'fast-check';
import { CookieSigner, newId } from './cookie-signer';

const A = 'a'.repeat(32);
const B = 'b'.repeat(32);

describe(CookieSigner.name, () => {
  const signer = new CookieSigner([A]);
  const id = newId();
  const value = signer.sign('shop', 'device', id);

  it('produces URL-safe values', () => {
    expect(value).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(value.length).toBeLessThan(100);
  });

  it('verifies its own values', () => {
    expect(signer.verify('shop', 'device', value)).toEqual({ id, current: true });
  });

  it.each([
    ['another account', 'news', 'device', value],
    ['another cookie', 'shop', 'anonymous-person', value],
    ['a changed id', 'shop', 'device', `X${value.slice(1)}`],
    ['a changed MAC', 'shop', 'device', `${value.slice(0, -1)}${value.endsWith('A') ? 'B' : 'A'}`],
    ['a truncated value', 'shop', 'device', value.slice(0, -3)],
    ['no MAC', 'shop', 'device', id],
    ['empty', 'shop', 'device', ''],
    ['junk', 'shop', 'device', '%%%.;;;'],
  ] as const)('refuses %s', (_what, account, kind, v) => {
    expect(signer.verify(account, kind, v)).toBeNull();
  });

  it('refuses values signed with an unknown secret', () => {
    expect(new CookieSigner([B]).verify('shop', 'device', value)).toBeNull();
  });

  it('verifies values of an older secret after rotation, and asks for re-signing', () => {
    const rotated = new CookieSigner([B, A]);
    expect(rotated.verify('shop', 'device', value)).toEqual({ id, current: false });
    const resigned = rotated.sign('shop', 'device', id);
    expect(rotated.verify('shop', 'device', resigned)).toEqual({ id, current: true });
    expect(resigned).not.toBe(value);
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (v) => {
        const r = signer.verify('shop', 'session', v);
        expect(r === null || typeof r.id === 'string').toBe(true);
      }),
    );
  });
});
