import { errors, jwtVerify, JWTPayload } from 'jose';
import { CUSTOMER_ID_MAX_LENGTH, customerIdProblem } from './customer-id';

/** Assertions longer than this are refused before any parsing. */
const MAX_ASSERTION_LENGTH = 8 * 1024;
/** An assertion expires at most this far ahead (SPEC §11). */
const MAX_LIFETIME_SECONDS = 300;
const LEEWAY_SECONDS = 60;

type Assertion =
  | { readonly ok: true; readonly customerId: string; readonly jti: string; readonly exp: number }
  | {
      readonly ok: false;
      readonly code: 'invalid_assertion' | 'invalid_customer_id';
      readonly message: string;
    };

const invalid = (message: string): Assertion => ({ ok: false, code: 'invalid_assertion', message });

/**
 * Verifies a login assertion (SPEC §11) with a maintained JOSE library: a JWT signed HS256
 * with the account's `authentication.assertionSecret` (no other algorithm, `none` included),
 * `aud` the account id, `exp` no more than 300 s ahead (60 s leeway for clocks), `iat` present
 * and not ahead of the clock (the same leeway), `jti` present, `sub` a real customer id. The reason goes in the message; never the token.
 */
export async function verifyAssertion(
  token: unknown,
  secret: string,
  accountId: string,
  nowMs = Date.now(),
): Promise<Assertion> {
  if (typeof token !== 'string' || token.length === 0) return invalid('assertion is missing');
  if (token.length > MAX_ASSERTION_LENGTH) return invalid('assertion is too long');
  const now = Math.floor(nowMs / 1000);
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, new TextEncoder().encode(secret), {
      algorithms: ['HS256'],
      audience: accountId,
      clockTolerance: LEEWAY_SECONDS,
      currentDate: new Date(nowMs),
      requiredClaims: ['exp', 'iat', 'jti', 'sub'],
    }));
  } catch (e) {
    return invalid(reasonOf(e, accountId));
  }
  if (
    typeof payload.exp !== 'number' ||
    payload.exp > now + MAX_LIFETIME_SECONDS + LEEWAY_SECONDS
  ) {
    return invalid(`exp is more than ${MAX_LIFETIME_SECONDS} s ahead`);
  }
  // jose checks iat only against a maximum age; one from the future is a wrong clock or a
  // token minted to outlive its exp checks.
  if (typeof payload.iat !== 'number' || payload.iat > now + LEEWAY_SECONDS) {
    return invalid(
      `iat is more than ${LEEWAY_SECONDS} s in the future: check the clock of the server that signs`,
    );
  }
  if (typeof payload.jti !== 'string' || payload.jti.length === 0 || payload.jti.length > 200) {
    return invalid('jti must be a string of 1 to 200 characters');
  }
  const problem = customerIdProblem(payload.sub);
  if (problem !== null) {
    return {
      ok: false,
      code: 'invalid_customer_id',
      message: `sub must be the customer id: 1 to ${CUSTOMER_ID_MAX_LENGTH} printable characters, not a placeholder (${problem})`,
    };
  }
  return { ok: true, customerId: payload.sub as string, jti: payload.jti, exp: payload.exp };
}

/** The audience as the assertion carried it, for the message (a string or a list of them). */
function shownAudience(aud: unknown): string {
  if (aud === undefined) return 'none';
  const text = JSON.stringify(aud) ?? typeof aud;
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function reasonOf(e: unknown, accountId: string): string {
  if (e instanceof errors.JWTExpired) return 'assertion has expired';
  if (e instanceof errors.JWTClaimValidationFailed && e.claim === 'aud') {
    // The site's backend signs for one account: say which, so a copied snippet is found at once.
    return `aud must be ${JSON.stringify(accountId)}, the id of the account this login is for (got ${shownAudience(e.payload.aud)})`;
  }
  if (e instanceof errors.JWTClaimValidationFailed)
    return `claim ${e.claim} is invalid (${e.reason})`;
  if (e instanceof errors.JOSEAlgNotAllowed) return 'only HS256 assertions are accepted';
  if (e instanceof errors.JWSSignatureVerificationFailed) return 'signature does not verify';
  if (e instanceof errors.JWTInvalid || e instanceof errors.JWSInvalid) {
    return 'not a well-formed signed JWT';
  }
  return 'assertion could not be verified';
}
