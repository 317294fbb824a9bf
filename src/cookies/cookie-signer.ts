import { createHmac, createSecretKey, KeyObject, randomBytes, timingSafeEqual } from 'node:crypto';
import { CookieKind } from './cookie-catalog';

const MAC_BYTES = 16;
const VALUE = /^([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]{22})$/;

export interface VerifiedValue {
  readonly id: string;
  /** Signed with the first (current) secret; false means it should be re-signed. */
  readonly current: boolean;
}

/** A new random identifier: 128 bits, URL-safe. */
export function newId(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * Signs and verifies cookie values `<id>.<mac>`: the MAC is HMAC-SHA256 over the account,
 * the cookie kind and the id, so a value is bound to its account and cookie. The first secret
 * signs; every listed secret verifies (rotation).
 */
export class CookieSigner {
  private readonly keys: readonly KeyObject[];

  constructor(secrets: readonly string[]) {
    if (secrets.length === 0) throw new Error('at least one signing secret is needed');
    // Key objects, imported once, not on every MAC.
    this.keys = secrets.map((s) => createSecretKey(Buffer.from(s, 'utf8')));
  }

  private mac(key: KeyObject, subject: string, id: string): Buffer {
    return createHmac('sha256', key).update(`${subject}\0${id}`).digest().subarray(0, MAC_BYTES);
  }

  private signWith(subject: string, id: string): string {
    return `${id}.${this.mac(this.keys[0], subject, id).toString('base64url')}`;
  }

  private verifyWith(subject: string, value: string): VerifiedValue | null {
    const m = VALUE.exec(value);
    if (!m) return null;
    const given = Buffer.from(m[2], 'base64url');
    if (given.length !== MAC_BYTES || given.toString('base64url') !== m[2]) return null;
    // Check every key without stopping early, so timing does not tell which one matched.
    let matched = -1;
    this.keys.forEach((key, i) => {
      if (timingSafeEqual(this.mac(key, subject, m[1]), given) && matched < 0) matched = i;
    });
    return matched < 0 ? null : { id: m[1], current: matched === 0 };
  }

  sign(account: string, kind: CookieKind, id: string): string {
    return this.signWith(`pantry/v1\0${account}\0${kind}`, id);
  }

  /** The id of a value signed for this account and cookie, or null (forged, foreign, malformed). */
  verify(account: string, kind: CookieKind, value: string): VerifiedValue | null {
    return this.verifyWith(`pantry/v1\0${account}\0${kind}`, value);
  }

  /**
   * A one-time token for a purpose (`bridge`): a random id and its MAC, nothing else readable.
   * Not bound to an account here: the stored token is, so a token of another account is told
   * apart from a forged one.
   */
  signToken(purpose: string, id: string): string {
    return this.signWith(`pantry/token/v1\0${purpose}`, id);
  }

  /** The id of a token this server signed for the purpose, or null. */
  verifyToken(purpose: string, value: string): string | null {
    return this.verifyWith(`pantry/token/v1\0${purpose}`, value)?.id ?? null;
  }
}
