import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, PantryError } from '../common/errors';
import type { LiveSession } from '../access/console-sessions.service';
import { actorOf, authorize, Principal, RoutePolicy } from '../access/roles';
import { accountNotFound } from '../tenants/tenant.service';
import { ROUTE_POLICY } from './admin-access';
import { AdminAuthenticator } from './admin-authenticator';

export type AdminRequest = FastifyRequest & {
  adminActor?: string;
  principal?: Principal;
  /** The console session the request came with (none with a bearer token). */
  consoleSession?: LiveSession;
};

/**
 * Every admin route's one guard. Authentication (admin-authenticator.ts): `Authorization:
 * Bearer <token>`, the admin token or an account credential; without that header, the console's
 * session cookie (SPEC §17), the same principals, with the session's CSRF token on every
 * state-changing method. Repeated wrong tokens from one client address get 429 for a while.
 * Authorization (SPEC §19): the route's policy, declared next to it with `Access`
 * (admin-access.ts), decided by access/roles.ts `authorize`, whichever way the principal came
 * in: another account's route answers 404 as a missing account would, a server-wide route or
 * one outside the role 403. Audit entries name the principal the same way too.
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(
    private readonly auth: AdminAuthenticator,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AdminRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    let principal: Principal;
    if (this.auth.usesSession(request)) {
      const session = await this.auth.session(request, reply);
      request.consoleSession = session;
      principal = session.principal;
    } else {
      principal = await this.auth.bearer(request, reply);
    }
    request.principal = principal;
    request.adminActor = actorOf(principal, this.auth.client(request));
    return this.authorized(context, request, principal);
  }

  /** The route's policy for this principal: allowed, or the refusal SPEC §19 gives. */
  private authorized(context: ExecutionContext, request: AdminRequest, principal: Principal): true {
    const policy = this.reflector.getAllAndOverride<RoutePolicy | undefined>(ROUTE_POLICY, [
      context.getHandler(),
      context.getClass(),
    ]);
    const params = request.params as Record<string, string> | undefined;
    const verdict = authorize(principal, policy, params?.id);
    switch (verdict.kind) {
      case 'allow':
        return true;
      case 'hidden':
        throw accountNotFound(verdict.accountId);
      case 'server-route':
        throw new PantryError(
          ErrorCode.ServerRoute,
          'This route is server-wide: only the admin token may call it, not an account credential.',
        );
      case 'role':
        throw new PantryError(
          ErrorCode.RoleNotAllowed,
          `The ${verdict.role} role may not call ${request.method} ${request.routeOptions?.url ?? request.url.split('?')[0]}.`,
        );
    }
  }
}
