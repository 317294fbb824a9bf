/**
 * The operator console's sessions (SPEC §17), the pure part: the cookie's name, value and
 * attributes, what is kept of a session id at rest, the CSRF token bound to a session, and
 * whether a stored session still holds. No I/O: console-sessions.service.ts stores the rows,
 * the admin guard applies the decisions.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** The session cookie (on `/admin`, HttpOnly, SameSite=Strict): its value is the session id. */
export const SESSION_COOKIE = 'pantry-console';
/** The cookie's path: the console and the admin API, nothing of the visitor API. */
export const SESSION_COOKIE_PATH = '/admin';
/** The header a state-changing request made with the session cookie carries. */
export const CSRF_HEADER = 'x-pantry-csrf';

/** A session id: 32 random bytes, base64url (43 characters). */
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

export const newSessionId = (): string => randomBytes(32).toString('base64url');

export const isSessionId = (value: string): boolean => SESSION_ID.test(value);

/** What the database keeps of a session id: its SHA-256 (hex); the id is in the cookie only. */
export const sessionIdHash = (id: string): string =>
  createHash('sha256').update(id, 'utf8').digest('hex');

const hmac = (key: string, message: string) =>
  createHmac('sha256', key).update(message, 'utf8').digest();

/**
 * The CSRF token of a session: an HMAC keyed by the session id, so it is bound to the session,
 * needs no storage, and tells nothing of the id (nor does the stored hash tell the token).
 */
export const csrfTokenOf = (id: string): string =>
  hmac(id, 'pantry console csrf').toString('base64url');

/** Whether `presented` is the session's CSRF token, compared in constant time. */
export function csrfMatches(id: string, presented: string | string[] | undefined): boolean {
  if (typeof presented !== 'string') return false;
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(presented), digest(csrfTokenOf(id)));
}

/**
 * What an admin session is bound to: the admin token in force, keyed by the session id. A
 * changed admin token ends every admin session; the stored value, without the id (which only
 * the cookie holds), allows no guess at the token.
 */
export const adminBindingOf = (id: string, adminToken: string): string =>
  hmac(id, `pantry console admin ${adminToken}`).toString('hex');

export function adminBindingMatches(id: string, adminToken: string, stored: string | null) {
  if (stored === null || stored.length !== 64) return false;
  return timingSafeEqual(
    Buffer.from(adminBindingOf(id, adminToken), 'hex'),
    Buffer.from(stored, 'hex'),
  );
}

/** The methods that change state: made with the session cookie, they need the CSRF token. */
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
export const changesState = (method: string): boolean => STATE_CHANGING.has(method.toUpperCase());

/** The session limits in force (`admin.consoleSessionIdleSeconds`, `…MaxSeconds`). */
export interface SessionLimits {
  readonly idleSeconds: number;
  readonly maxSeconds: number;
}

/** The times of a stored session, epoch milliseconds. */
export interface SessionTimes {
  readonly createdAt: number;
  readonly lastSeenAt: number;
}

export type SessionState = 'live' | 'idle' | 'expired';

/** A session is over once idle for longer than the idle limit, or older than the cap. */
export function sessionState(
  session: SessionTimes,
  now: number,
  limits: SessionLimits,
): SessionState {
  if (now - session.createdAt >= limits.maxSeconds * 1000) return 'expired';
  if (now - session.lastSeenAt >= limits.idleSeconds * 1000) return 'idle';
  return 'live';
}

/**
 * Whether a use of a live session is written back (its `lastSeenAt` moved): not on every admin
 * request, only once a tenth of the idle limit (at most a minute) has passed since the last
 * write, so a session ends at most that much before its idle limit.
 */
export function needsTouch(session: SessionTimes, now: number, limits: SessionLimits): boolean {
  return now - session.lastSeenAt >= Math.min(60_000, limits.idleSeconds * 100);
}

/** When the session ends at the latest (the cap), for the cookie's Max-Age and the console. */
export const sessionEnd = (session: SessionTimes, limits: SessionLimits): number =>
  session.createdAt + limits.maxSeconds * 1000;

/** The session ids a `Cookie` header carries under the session cookie's name, well formed. */
export function sessionIdsIn(header: string | string[] | undefined): string[] {
  const text = Array.isArray(header) ? header.join('; ') : (header ?? '');
  if (text.length > 32 * 1024 || !text.includes(SESSION_COOKIE)) return [];
  const ids: string[] = [];
  for (const pair of text.split(';')) {
    const eq = pair.indexOf('=');
    if (eq < 0 || pair.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    const value = pair.slice(eq + 1).trim();
    if (isSessionId(value) && ids.length < 4) ids.push(value);
  }
  return ids;
}

/**
 * How the cookie may travel. `Secure` whenever the browser reached Pantry over HTTPS (the
 * trusted proxy's `X-Forwarded-Proto`); plain HTTP only straight over the loopback interface
 * (the operator's own machine, an SSH tunnel), where no network sees it. Anything else, plain
 * HTTP across a network, is refused: a Secure cookie would be dropped by the browser, a plain
 * one would carry the session in clear text.
 */
export type CookieTransport = 'secure' | 'loopback' | 'refused';

export function cookieTransport(
  scheme: 'http' | 'https',
  forwarded: boolean,
  localAddress: string | undefined,
): CookieTransport {
  if (scheme === 'https') return 'secure';
  if (!forwarded && localAddress !== undefined && isLoopback(localAddress)) return 'loopback';
  return 'refused';
}

function isLoopback(address: string): boolean {
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

/** The `Set-Cookie` value carrying a session (Max-Age: until the session's cap). */
export function sessionCookie(id: string, maxAgeSeconds: number, secure: boolean): string {
  return [
    `${SESSION_COOKIE}=${id}`,
    `Path=${SESSION_COOKIE_PATH}`,
    `Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`,
    'HttpOnly',
    'SameSite=Strict',
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

/** The `Set-Cookie` value that removes the session cookie from the browser. */
export function clearedSessionCookie(secure: boolean): string {
  return [
    `${SESSION_COOKIE}=`,
    `Path=${SESSION_COOKIE_PATH}`,
    'Max-Age=0',
    'HttpOnly',
    'SameSite=Strict',
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}
