import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { CookieSigner, newId } from './cookie-signer';

const A = 'a'.repeat(32);
const B = 'b'.repeat(32);

describe(newId.name, () => {
  it('gives 128-bit URL-safe ids, never the same twice across pool refills', () => {
    const ids = Array.from({ length: 2000 }, () => newId());
    for (const id of ids) {
      expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(Buffer.from(id, 'base64url')).toHaveLength(16);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe(CookieSigner.name, () => {
  const signer = new CookieSigner([A]);
  const id = newId();
  const value = signer.sign('shop', 'device', id);

  it('writes the MAC as the base64url of the first 16 bytes of HMAC-SHA256 over the subject and id', () => {
    // Every id, so every last character the text of a 16-byte MAC can end with, is covered.
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
        const id = Buffer.from(bytes).toString('base64url');
        const expected = createHmac('sha256', A)
          .update(`pantry/v1\0shop\0session\0${id}`)
          .digest()
          .subarray(0, 16)
          .toString('base64url');
        expect(signer.sign('shop', 'session', id)).toBe(`${id}.${expected}`);
      }),
      { numRuns: 2000 },
    );
  });

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
    // One character changed, never into itself (a random value may start or end with it), and
    // in the MAC not the last one, whose low bits base64url leaves unused.
    ['a changed id', 'shop', 'device', changedAt(value, 0)],
    ['a changed MAC', 'shop', 'device', changedAt(value, value.length - 5)],
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

  it('signs a consent decision once per account, as a fresh signer would, bound to its account', () => {
    const memo = new CookieSigner([A, B]);
    const granted = memo.sign('shop', 'consent', 'granted');
    expect(memo.sign('shop', 'consent', 'granted')).toBe(granted);
    expect(new CookieSigner([A]).sign('shop', 'consent', 'granted')).toBe(granted);
    expect(memo.verify('shop', 'consent', granted)).toEqual({ id: 'granted', current: true });
    for (const other of [
      memo.sign('news', 'consent', 'granted'),
      memo.sign('shop', 'consent', 'denied'),
      memo.sign('shop', 'device', 'granted'),
    ]) {
      expect(other).not.toBe(granted);
      expect(memo.verify('shop', 'consent', other)?.id ?? null).not.toBe('granted');
    }
    // The older secret's value: another MAC, which verifies as one to re-sign.
    const older = new CookieSigner([B]).sign('shop', 'consent', 'granted');
    expect(older).not.toBe(granted);
    expect(memo.verify('shop', 'consent', older)).toEqual({ id: 'granted', current: false });
  });

  describe('cache of verified values', () => {
    it('answers a repeated value exactly as a fresh verification does', () => {
      const cached = new CookieSigner([A, B], 4);
      const older = new CookieSigner([B]);
      const values = [
        cached.sign('shop', 'device', newId()),
        older.sign('shop', 'device', newId()),
        cached.sign('news', 'session', newId()),
        `${newId()}.${'A'.repeat(22)}`,
        '',
      ];
      fc.assert(
        fc.property(
          fc.array(fc.tuple(fc.constantFrom(...values), fc.constantFrom('shop', 'news')), {
            maxLength: 40,
          }),
          (sequence) => {
            for (const [v, account] of sequence) {
              const fresh = new CookieSigner([A, B]).verify(account, 'device', v);
              expect(cached.verify(account, 'device', v)).toEqual(fresh);
            }
          },
        ),
      );
    });

    it('keeps only values that verified, and at most two generations of them', () => {
      const cached = new CookieSigner([A], 3);
      for (let i = 0; i < 50; i++) cached.verify('shop', 'device', `${newId()}.${'A'.repeat(22)}`);
      expect(cached.cached).toBe(0);
      for (let i = 0; i < 50; i++)
        cached.verify('shop', 'device', cached.sign('shop', 'device', newId()));
      expect(cached.cached).toBeLessThanOrEqual(6);
    });

    it('keeps a value still in use through the next generation', () => {
      const cached = new CookieSigner([A], 2);
      const kept = cached.sign('shop', 'device', newId());
      cached.verify('shop', 'device', kept);
      for (let i = 0; i < 20; i++) {
        cached.verify('shop', 'device', cached.sign('shop', 'device', newId()));
        expect(cached.verify('shop', 'device', kept)).not.toBeNull();
      }
    });

    it('binds a cached value to its account and cookie', () => {
      const cached = new CookieSigner([A]);
      const v = cached.sign('shop', 'device', newId());
      expect(cached.verify('shop', 'device', v)).not.toBeNull();
      expect(cached.verify('shop', 'session', v)).toBeNull();
      expect(cached.verify('shop2', 'device', v)).toBeNull();
    });
  });
});

/** `text` with the character at `i` replaced by a different one. */
function changedAt(text: string, i: number): string {
  return `${text.slice(0, i)}${text[i] === 'X' ? 'Y' : 'X'}${text.slice(i + 1)}`;
}
