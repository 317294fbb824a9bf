import { Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { clearedSessionCookie, csrfTokenOf, sessionCookie } from '../access/console-session';
import { ConsoleSessionsService, LiveSession } from '../access/console-sessions.service';
import { actorOf } from '../access/roles';
import { ErrorCode, PantryError } from '../common/errors';
import { AdminAuthenticator } from './admin-authenticator';
import type { SessionDto } from './dto/session.dto';

/**
 * Console sign-in, the session in force, sign-out (SPEC §17): the HTTP side of
 * access/console-sessions.service.ts. The session id travels in the `pantry-console` cookie
 * only (HttpOnly, so no script of the page can read it); what a script gets is the CSRF token.
 */
@Injectable()
export class AdminSessionService {
  constructor(
    private readonly auth: AdminAuthenticator,
    private readonly sessions: ConsoleSessionsService,
  ) {}

  /** Exchanges a token for a session cookie; wrong tokens are throttled as at the API. */
  async signIn(request: FastifyRequest, reply: FastifyReply, token: string): Promise<void> {
    const transport = this.auth.transport(request);
    if (transport === 'refused') {
      throw new PantryError(
        ErrorCode.InsecureTransport,
        'The console signs in over HTTPS only (TLS at your proxy, with server.trustProxy = true and X-Forwarded-Proto: https), or over plain HTTP straight to a loopback address (localhost, an SSH tunnel).',
      );
    }
    const principal = await this.auth.token(request, reply, token);
    const session = await this.sessions.signIn(
      principal,
      actorOf(principal, this.auth.client(request)),
    );
    const maxAge = (session.expiresAt - Date.now()) / 1000;
    void reply
      .header('set-cookie', sessionCookie(session.id, maxAge, transport === 'secure'))
      .header('cache-control', 'no-store');
  }

  /** Who is signed in with the request's cookie, and the session's CSRF token. */
  async current(request: FastifyRequest, reply: FastifyReply): Promise<SessionDto> {
    const session = await this.auth.session(request, reply);
    void reply.header('cache-control', 'no-store');
    return this.view(session);
  }

  /** Signs out: the session is deleted (on every node) and the cookie cleared. */
  async signOut(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const session = await this.auth.session(request, reply);
    await this.sessions.signOut(session, actorOf(session.principal, this.auth.client(request)));
    void reply
      .header('set-cookie', clearedSessionCookie(this.auth.transport(request) === 'secure'))
      .header('cache-control', 'no-store');
  }

  private view(session: LiveSession): SessionDto {
    const { principal } = session;
    return {
      role: principal.kind === 'admin' ? 'admin' : principal.role,
      account: principal.kind === 'admin' ? null : principal.accountId,
      credential: principal.kind === 'admin' ? null : { id: principal.id, name: principal.name },
      csrfToken: csrfTokenOf(session.id),
      expiresAt: new Date(session.expiresAt).toISOString(),
      idleTimeoutSeconds: this.sessions.limits().idleSeconds,
    };
  }
}
