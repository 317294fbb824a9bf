import { SignJWT } from 'jose';
import { verifyAssertion } from './assertion';

const SECRET = 'assertion-secret-0123456789-abcdefghij';
const NOW = 1_800_000_000_000;
const now = NOW / 1000;

async function sign(
  claims: Record<string, unknown>,
  header: Record<string, unknown> = { alg: 'HS256' },
  secret = SECRET,
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader(header as { alg: string })
    .sign(new TextEncoder().encode(secret));
}

const good = { sub: 'customer-42', aud: 'shop', exp: now + 120, iat: now, jti: 'j-1' };
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe(verifyAssertion.name, () => {
  it('accepts a well-formed assertion', async () => {
    expect(await verifyAssertion(await sign(good), SECRET, 'shop', NOW)).toEqual({
      ok: true,
      customerId: 'customer-42',
      jti: 'j-1',
      exp: now + 120,
    });
  });

  it.each<[string, () => Promise<string>, RegExp]>([
    [
      'a wrong signature',
      () => sign(good, undefined, 'another-secret-0123456789-abcdefghij'),
      /signature/,
    ],
    ['alg none', () => Promise.resolve(`${b64({ alg: 'none' })}.${b64(good)}.`), /./],
    ['alg HS512', () => sign(good, { alg: 'HS512' }), /HS256/],
    [
      'a wrong aud',
      () => sign({ ...good, aud: 'news' }),
      /^aud must be "shop", the id of the account this login is for \(got "news"\)$/,
    ],
    [
      'no aud',
      () => sign({ ...good, aud: undefined }),
      /^aud must be "shop", the id of the account this login is for \(got none\)$/,
    ],
    [
      'a list of audiences without the account',
      () => sign({ ...good, aud: ['news', 'blog'] }),
      /^aud must be "shop", .* \(got \["news","blog"\]\)$/,
    ],
    ['exp in the past', () => sign({ ...good, exp: now - 120 }), /expired/],
    ['exp a day ahead', () => sign({ ...good, exp: now + 86_400 }), /more than 300 s ahead/],
    ['no exp', () => sign({ ...good, exp: undefined }), /exp/],
    ['no jti', () => sign({ ...good, jti: undefined }), /jti/],
    ['no iat', () => sign({ ...good, iat: undefined }), /iat/],
    ['iat 61 s ahead', () => sign({ ...good, iat: now + 61 }), /^iat is more than 60 s in the/],
    ['iat an hour ahead', () => sign({ ...good, iat: now + 3600 }), /iat .* in the future/],
    [
      'iat ten years ahead (exp too)',
      () => sign({ ...good, iat: now + 315_360_000, exp: now + 120 }),
      /iat .* in the future/,
    ],
    ['a non-JSON payload', () => Promise.resolve(`${b64({ alg: 'HS256' })}.bm90IGpzb24.c2ln`), /./],
    ['junk', () => Promise.resolve('junk'), /well-formed/],
    ['100 KB', () => Promise.resolve('a'.repeat(100_000)), /too long/],
  ])('refuses %s as invalid_assertion', async (_what, make, message) => {
    const result = await verifyAssertion(await make(), SECRET, 'shop', NOW);
    expect(result).toMatchObject({ ok: false, code: 'invalid_assertion' });
    expect((result as { message: string }).message).toMatch(message);
  });

  it('accepts 60 s of clock leeway', async () => {
    expect(
      (await verifyAssertion(await sign({ ...good, exp: now - 30 }), SECRET, 'shop', NOW)).ok,
    ).toBe(true);
    expect(
      (await verifyAssertion(await sign({ ...good, iat: now + 60 }), SECRET, 'shop', NOW)).ok,
    ).toBe(true);
  });

  it.each([
    'null',
    'undefined',
    'anonymous',
    '0',
    '',
    '   ',
    'x'.repeat(257),
    'a\u0000b',
    '\u200b\u200b',
    '\ufeff\u2060',
    '\u3000',
  ])('refuses the customer id %j as invalid_customer_id', async (sub) => {
    const result = await verifyAssertion(await sign({ ...good, sub }), SECRET, 'shop', NOW);
    expect(result).toMatchObject({ ok: false });
    expect(['invalid_customer_id', 'invalid_assertion']).toContain(
      (result as { code: string }).code,
    );
    if (sub !== '') expect((result as { code: string }).code).toBe('invalid_customer_id');
  });
});
