import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** `<path><type>:<sessionId>`: `U` the public entry path, `P` propagated authentication. */
interface AuthsessionContent {
  readonly path: string;
  readonly type: string;
  readonly sessionId: string;
}

const IV_BYTES = 16;
const TAG_BYTES = 16;
const CONTENT = /^([A-Z])([A-Z]):([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
/** A value longer than this is not ours (the content is 39 bytes). */
const MAX_VALUE_LENGTH = 200;

export function formatAuthsession(content: AuthsessionContent): string {
  return `${content.path}${content.type}:${content.sessionId}`;
}

export function parseAuthsession(text: string): AuthsessionContent | null {
  const m = CONTENT.exec(text);
  return m ? { path: m[1], type: m[2], sessionId: m[3] } : null;
}

/**
 * The authsession cookie value (SPEC §11, Unblu's format): base64url(IV ‖ AES-256-GCM(key,
 * `<path><type>:<sessionId>`) ‖ tag), a fresh 128-bit IV for each encryption. It holds a
 * session id only; the customer is found server-side.
 */
export function encryptAuthsession(key: Buffer, content: AuthsessionContent): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(formatAuthsession(content), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
}

/** The content, or null for anything that does not decrypt and parse: never a throw. */
export function decryptAuthsession(key: Buffer, value: string): AuthsessionContent | null {
  if (value.length > MAX_VALUE_LENGTH || !/^[A-Za-z0-9_-]+$/.test(value)) return null;
  const raw = Buffer.from(value, 'base64url');
  if (raw.length <= IV_BYTES + TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    const text = Buffer.concat([
      decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
    return parseAuthsession(text);
  } catch {
    return null; // wrong key, truncated, bit-flipped
  }
}
