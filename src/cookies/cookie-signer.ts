import {
  createHmac,
  createSecretKey,
  KeyObject,
  randomFillSync,
  timingSafeEqual,
} from 'node:crypto';
import { memoised } from '../common/memo';
import { CookieKind } from '../vocabulary/cookie-catalog';

const MAC_BYTES = 16;
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const VALUE = /^([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]{22})$/;
/** The longest value VALUE accepts: `<64-char id>.<22-char MAC>`. */
const MAX_VALUE_LENGTH = 64 + 1 + 22;
/** Verified values per cache generation: 2 × 20,000 entries, a few MiB at most. */
const DEFAULT_GENERATION = 20_000;
/** Signed consent values held: two per account (granted, denied), for 50,000 accounts at most. */
const MAX_SIGNED_CONSENT = 100_000;

/** What a cookie value's MAC covers besides its id: the account and the cookie it is for. */
const cookieSubject = (account: string, kind: CookieKind) => `pantry/v1\0${account}\0${kind}`;

/** A verified value, with the account and cookie it verified for. */
interface CachedValue {
  readonly account: string;
  readonly kind: CookieKind;
  readonly verified: VerifiedValue;
}

interface VerifiedValue {
  readonly id: string;
  /** Signed with the first (current) secret; false means it should be re-signed. */
  readonly current: boolean;
}

/**
 * Random bytes for new ids, drawn from the CSPRNG a block at a time (as crypto.randomUUID does):
 * one call per 256 ids instead of one per id. Each byte is handed out once.
 */
const ID_BYTES = 16;
const pool = Buffer.alloc(ID_BYTES * 256);
let drawn = pool.length;

/** A new random identifier: 128 bits, URL-safe. */
export function newId(): string {
  if (drawn === pool.length) {
    randomFillSync(pool);
    drawn = 0;
  }
  const id = pool.toString('base64url', drawn, drawn + ID_BYTES);
  drawn += ID_BYTES;
  return id;
}

/**
 * Signs and verifies cookie values `<id>.<mac>`: the MAC is HMAC-SHA256 over the account,
 * the cookie kind and the id, so a value is bound to its account and cookie. The first secret
 * signs; every listed secret verifies (rotation).
 */
export class CookieSigner {
  private readonly keys: readonly KeyObject[];
  /**
   * Cookie values verified recently: a returning visitor's three values come back on every
   * page view, and their HMACs were most of identify's crypto. Keyed by the value alone (the
   * header's own string, no key to build); an entry holds the account and cookie it verified
   * for, and answers only for those: a MAC binds a value to one of them. Only values that
   * verified are kept (a flood of forgeries fills nothing); the answer for a value depends only
   * on the secrets, which are fixed for the process's life (rotation is a restart), so an entry
   * never goes stale. Erasure is checked by the caller on every request, not cached here. Two
   * generations bound it: when `young` is full it becomes `old`, and the old one goes.
   */
  private young = new Map<string, CachedValue>();
  private old = new Map<string, CachedValue>();
  /**
   * The consent cookie's signed values, per account: its id is the decision itself (`granted`,
   * `denied`), so the same few values are signed again and again (every consent call, every
   * re-signing), and an HMAC was a tenth of a consent call. A value is a function of the
   * current secret, which is fixed for the process's life, so an entry never goes stale.
   */
  private readonly signedConsent = new Map<string, string>();

  constructor(
    secrets: readonly string[],
    private readonly generation = DEFAULT_GENERATION,
  ) {
    if (secrets.length === 0) throw new Error('at least one signing secret is needed');
    // Key objects, imported once, not on every MAC.
    this.keys = secrets.map((s) => createSecretKey(Buffer.from(s, 'utf8')));
  }

  /** Values held by the cache of verified values (for tests). */
  get cached(): number {
    return this.young.size + this.old.size;
  }

  private remember(value: string, entry: CachedValue): void {
    if (this.young.size >= this.generation) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(value, entry);
  }

  /** HMAC-SHA256 over the subject and the id: what every MAC here is computed from. */
  private hmac(key: KeyObject, subject: string, id: string) {
    return createHmac('sha256', key).update(`${subject}\0${id}`);
  }

  private mac(key: KeyObject, subject: string, id: string): Buffer {
    return this.hmac(key, subject, id).digest().subarray(0, MAC_BYTES);
  }

  private signWith(subject: string, id: string): string {
    return `${id}.${this.macText(subject, id)}`;
  }

  /**
   * The current key's MAC as it is written in a value: the base64url of the digest's first
   * 16 bytes. Taken from the text of the whole digest (a third faster than a Buffer, its
   * subarray and their text, in a microbenchmark; a new visitor signs three values): its first
   * 21 characters are the first 126 bits, and the 22nd carries bits 126–127 in its top two bits,
   * which the 16-byte text ends with, followed by four zero bits.
   */
  private macText(subject: string, id: string): string {
    const text = this.hmac(this.keys[0], subject, id).digest('base64url');
    return text.slice(0, 21) + BASE64URL[BASE64URL.indexOf(text[21]) & 0b110000];
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
    if (kind === 'consent') {
      return memoised(
        this.signedConsent,
        `${account}\0${id}`,
        () => this.signWith(cookieSubject(account, kind), id),
        MAX_SIGNED_CONSENT,
      );
    }
    return this.signWith(cookieSubject(account, kind), id);
  }

  /** The id of a value signed for this account and cookie, or null (forged, foreign, malformed). */
  verify(account: string, kind: CookieKind, value: string): VerifiedValue | null {
    if (value.length > MAX_VALUE_LENGTH) return null;
    let cached = this.young.get(value);
    if (cached === undefined) {
      cached = this.old.get(value);
      // Still in use: kept through the next generation.
      if (cached !== undefined) this.remember(value, cached);
    }
    if (cached !== undefined && cached.account === account && cached.kind === kind) {
      return cached.verified;
    }
    const verified = this.verifyWith(cookieSubject(account, kind), value);
    if (verified) this.remember(value, { account, kind, verified });
    return verified;
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
