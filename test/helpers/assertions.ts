import { SignJWT } from 'jose';

let jti = 0;

/**
 * What a site's backend does after its own login (SPEC §11): an HS256 assertion for the
 * account `aud`, issued now, expiring in two minutes, with a fresh jti; `over` replaces or
 * (as undefined) drops claims.
 */
export function signAssertion(
  secret: string,
  aud: string,
  sub: string,
  over: Record<string, unknown> = {},
  alg = 'HS256',
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sub, aud, iat: now, exp: now + 120, jti: `j-${++jti}`, ...over })
    .setProtectedHeader({ alg })
    .sign(new TextEncoder().encode(secret));
}
