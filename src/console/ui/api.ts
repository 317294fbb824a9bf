/**
 * The console's only way to the server: the admin API under /admin/v1, with the session cookie
 * (HttpOnly, sent by the browser) and, on every state-changing call, the CSRF token that
 * GET /admin/v1/session hands out. Nothing is kept in script-readable storage.
 */
import type { ConsoleRole, Viewer } from './permissions';
import { CONSOLE_ROLES } from './permissions';

export const API = '/admin/v1';

/** An answer other than 2xx, with the server's own code, message and problems. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems: readonly string[] = [],
  ) {
    super(message);
  }
}

export interface Session {
  readonly viewer: Viewer;
  readonly csrf: string;
}

let csrf = '';
let onSignedOut: (message: string) => void = () => {};

/** Called when the server answers 401 to a call made with the session: it expired or was ended. */
export function whenSignedOut(handler: (message: string) => void): void {
  onSignedOut = handler;
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

async function errorOf(res: Response): Promise<ApiError> {
  let body: Record<string, unknown> = {};
  try {
    body = (await res.json()) as Record<string, unknown>;
  } catch {
    // not JSON (a proxy's page): the status says enough
  }
  const problems = Array.isArray(body.problems) ? body.problems.map(String) : [];
  return new ApiError(
    res.status,
    text(body.error) || `http_${res.status}`,
    text(body.message) || `The server answered ${res.status} ${res.statusText}.`,
    problems,
  );
}

export async function call<T>(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['x-pantry-csrf'] = csrf;
  let res: Response;
  try {
    res = await fetch(`${API}${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network_error', 'The server could not be reached.');
  }
  if (!res.ok) {
    const error = await errorOf(res);
    if (res.status === 401 && path !== '/session') onSignedOut(error.message);
    throw error;
  }
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/** GET /admin/v1/session's answer: who is signed in (`admin` or a role) and the CSRF token. */
export function sessionOf(body: Record<string, unknown>): Session {
  const role = text(body.role);
  const credential = (body.credential ?? {}) as Record<string, unknown>;
  const viewer: Viewer = (CONSOLE_ROLES as readonly string[]).includes(role)
    ? {
        kind: 'credential',
        role: role as ConsoleRole,
        account: text(body.account),
        name: text(credential.name),
      }
    : { kind: 'admin' };
  const token = text(body.csrfToken);
  return { viewer, csrf: token };
}

export async function currentSession(): Promise<Session | null> {
  try {
    const session = sessionOf(await call<Record<string, unknown>>('GET', '/session'));
    csrf = session.csrf;
    return session;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return null;
    throw e;
  }
}

export async function signIn(token: string): Promise<Session> {
  await call('POST', '/session', { token });
  const session = await currentSession();
  if (!session) throw new ApiError(401, 'unauthorized', 'The server did not keep the session.');
  return session;
}

export async function signOut(): Promise<void> {
  await call('DELETE', '/session');
  csrf = '';
}

export const path = (...parts: string[]): string =>
  parts.map((p) => `/${encodeURIComponent(p)}`).join('');
