import { Injectable, Logger } from '@nestjs/common';
import { ThrottlerStorageService } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import {
  changesState,
  clearedSessionCookie,
  cookieTransport,
  CookieTransport,
  CSRF_HEADER,
  csrfMatches,
  sessionIdsIn,
} from '../access/console-session';
import { ConsoleSessionsService, LiveSession } from '../access/console-sessions.service';
import { CredentialsService, TOKEN_PREFIX } from '../access/credentials.service';
import type { Principal } from '../access/roles';
import { ErrorCode, PantryError } from '../common/errors';
import { clientAddress } from '../http/client-address';
import { sendError } from '../http/error-response';
import { publicProtocol } from '../http/forwarded';
import { inRequest } from '../logging/request-context';
import { ConfigurationService } from '../properties/configuration.service';
import { SecretsService } from '../secrets/secrets.service';

/** Failed attempts allowed per client and window… */
const AUTH_FAILURE_LIMIT = 30;
const AUTH_FAILURE_WINDOW_MS = 60_000;
/** …before the client is refused for this long. */
const AUTH_BLOCK_MS = 5 * 60_000;

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

const ADMIN: Principal = Object.freeze({ kind: 'admin' });

const BEARER_HINT =
  'Send the admin token or an account credential as "Authorization: Bearer <token>".';

/**
 * The three ways into the admin API, in one place: `Authorization: Bearer` with the admin
 * token (compared in constant time, both sides hashed to equal length first) or an account
 * credential (`pty_…`, looked up by its hash), the same tokens exchanged for a console session
 * at sign-in, and the console's session cookie. Wrong tokens, at the API or at sign-in, count
 * towards one limit per client address (the proxy's report of it under `server.trustProxy`):
 * 30 a minute, then 429 for five minutes; failures are throttled, never the holders of a right
 * token. A session cookie guesses nothing (256 random bits), so a stale one is not counted: it
 * is answered 401 and cleared. No token, session id or CSRF token is ever logged.
 */
@Injectable()
export class AdminAuthenticator {
  private readonly logger = new Logger(AdminAuthenticator.name);
  private readonly expected: Buffer;
  private readonly blockedUntil = new Map<string, number>();
  readonly trustProxy: boolean;

  constructor(
    private readonly secrets: SecretsService,
    configuration: ConfigurationService,
    private readonly failures: ThrottlerStorageService,
    private readonly credentials: CredentialsService,
    private readonly sessions: ConsoleSessionsService,
  ) {
    this.expected = digest(secrets.adminToken);
    this.trustProxy = configuration.startup['server.trustProxy'];
  }

  client(request: FastifyRequest): string {
    return clientAddress(request, this.trustProxy);
  }

  /** Whether a request comes with the console's session cookie (and no bearer token). */
  usesSession(request: FastifyRequest): boolean {
    return (
      request.headers.authorization === undefined && sessionIdsIn(request.headers.cookie).length > 0
    );
  }

  /** The principal of the request's `Authorization` header; else 401, or 429 when blocked. */
  async bearer(request: FastifyRequest, reply: FastifyReply): Promise<Principal> {
    const header = request.headers.authorization;
    const m = header === undefined ? null : /^Bearer[ ]+(\S{1,1024})\s*$/i.exec(header);
    const principal = await this.principal(m ? m[1] : '', m !== null);
    if (principal) return principal;
    if (header === undefined) throw new PantryError(ErrorCode.Unauthorized, BEARER_HINT);
    return this.refuse(request, reply, BEARER_HINT);
  }

  /** The principal of a token presented at console sign-in, throttled as the bearer token is. */
  async token(request: FastifyRequest, reply: FastifyReply, token: string): Promise<Principal> {
    const wellFormed = /^\S{1,1024}$/.test(token);
    const principal = await this.principal(wellFormed ? token : '', wellFormed);
    return (
      principal ??
      this.refuse(
        request,
        reply,
        'Wrong token: sign in with the admin token or an account credential.',
      )
    );
  }

  /**
   * The live session of the request's cookie; else 401 (and the cookie cleared). A state-changing
   * method needs the session's CSRF token in `x-pantry-csrf` (403 `csrf_token_invalid`).
   */
  async session(request: FastifyRequest, reply: FastifyReply): Promise<LiveSession> {
    for (const id of sessionIdsIn(request.headers.cookie)) {
      const session = await this.sessions.resolve(id);
      if (!session) continue;
      assertCsrf(request, id);
      return session;
    }
    void reply.header('set-cookie', clearedSessionCookie(this.transport(request) === 'secure'));
    throw new PantryError(
      ErrorCode.SessionEnded,
      'The console session has ended (signed out, idle too long, or past its limit): sign in again.',
    );
  }

  /** How a session cookie may travel on this request (console-session.ts cookieTransport). */
  transport(request: FastifyRequest): CookieTransport {
    const h = request.headers;
    const forwarded =
      h['x-forwarded-for'] !== undefined ||
      h['x-forwarded-proto'] !== undefined ||
      h['x-forwarded-host'] !== undefined ||
      h.forwarded !== undefined;
    return cookieTransport(
      publicProtocol(h, request.protocol === 'https' ? 'https' : 'http', this.trustProxy),
      forwarded,
      request.socket?.localAddress,
    );
  }

  /** The admin token, an account credential, or null. */
  private async principal(token: string, wellFormed: boolean): Promise<Principal | null> {
    // Compare even when the token is malformed, so timing does not tell the two apart.
    if (timingSafeEqual(digest(token), this.expected) && wellFormed) return ADMIN;
    return token.startsWith(TOKEN_PREFIX) ? this.credentials.authenticate(token) : null;
  }

  /** A presented-and-wrong token: counted; 401, or 429 once the client is blocked. */
  private async refuse(request: FastifyRequest, reply: FastifyReply, hint: string): Promise<never> {
    const client = this.client(request);
    const now = Date.now();
    const blocked = this.blockedUntil.get(client);
    if (blocked !== undefined && blocked > now) {
      void reply.header('retry-after', String(Math.ceil((blocked - now) / 1000)));
      throw new PantryError(
        ErrorCode.TooManyRequests,
        'Too many failed authentication attempts from this address; try again later.',
      );
    }
    const record = await this.failures.increment(
      `admin-auth:${client}`,
      AUTH_FAILURE_WINDOW_MS,
      AUTH_FAILURE_LIMIT,
      AUTH_BLOCK_MS,
      'admin-auth',
    );
    if (record.isBlocked) {
      this.blockedUntil.set(client, now + AUTH_BLOCK_MS);
      // The address stays out of the log (SPEC §13); the access log has the refusals.
      inRequest(request.id, () =>
        this.logger.warn(
          `blocking a client's admin authentication for ${AUTH_BLOCK_MS / 60_000} minutes after ${AUTH_FAILURE_LIMIT} failed attempts (its address is not logged)`,
        ),
      );
    }
    throw new PantryError(ErrorCode.Unauthorized, hint);
  }
}

/**
 * The CSRF rule: a state-changing request authenticated by the session cookie carries that
 * session's token in `x-pantry-csrf`. A cross-site form can send the cookie (were SameSite ever
 * lax about it) but never a header.
 */
export function assertCsrf(request: FastifyRequest, sessionId: string): void {
  if (!changesState(request.method) || csrfMatches(sessionId, request.headers[CSRF_HEADER])) return;
  throw new PantryError(
    ErrorCode.CsrfTokenInvalid,
    request.headers[CSRF_HEADER] === undefined
      ? `A change made with the console session needs its CSRF token in the ${CSRF_HEADER} header (GET /admin/v1/session answers it).`
      : `The ${CSRF_HEADER} header is not this session's CSRF token (GET /admin/v1/session answers it).`,
  );
}

/** The route that signs in: its token is in the body, it is the one change made without CSRF. */
export const SIGN_IN_ROUTE = '/admin/v1/session';

/**
 * The CSRF rule once more, before the body is read (an onRequest hook on every admin API
 * route): a cross-site form posting `text/plain` or form data with the cookie is refused 403
 * `csrf_token_invalid` rather than 415. It needs no database: the token is the session id's
 * HMAC. The guard still checks the session itself.
 */
export function csrfHookFor(url: string): onRequestHookHandler | null {
  if (!url.startsWith('/admin/v1/')) return null;
  return (request, reply, done) => {
    const signIn = url === SIGN_IN_ROUTE && request.method === 'POST';
    const ids =
      request.headers.authorization === undefined ? sessionIdsIn(request.headers.cookie) : [];
    if (signIn || ids.length === 0 || !changesState(request.method)) return done();
    if (ids.some((id) => csrfMatches(id, request.headers[CSRF_HEADER]))) return done();
    try {
      assertCsrf(request, ids[0]);
    } catch (e) {
      sendError(e, request, reply);
      return;
    }
    done();
  };
}
