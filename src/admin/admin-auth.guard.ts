import { inRequest } from '../logging/request-context';
import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ThrottlerStorageService } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { clientAddress } from '../http/client-address';
import { ErrorCode, PantryError } from '../common/errors';
import { ConfigurationService } from '../properties/configuration.service';
import { SecretsService } from '../secrets/secrets.service';
import { CredentialsService, TOKEN_PREFIX } from '../access/credentials.service';
import { actorOf, authorize, Principal, RoutePolicy } from '../access/roles';
import { accountNotFound } from '../tenants/tenant.service';
import { ROUTE_POLICY } from './admin-access';

/** Failed attempts allowed per client and window… */
const AUTH_FAILURE_LIMIT = 30;
const AUTH_FAILURE_WINDOW_MS = 60_000;
/** …before the client is refused for this long. */
const AUTH_BLOCK_MS = 5 * 60_000;

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export type AdminRequest = FastifyRequest & { adminActor?: string; principal?: Principal };

const ADMIN: Principal = Object.freeze({ kind: 'admin' });

/**
 * Every admin route's one guard. Authentication: `Authorization: Bearer <token>`, the admin
 * token (compared in constant time, both sides hashed to equal length first) or an account
 * credential (`pty_…`, looked up by its hash: access/credentials.service.ts). Repeated wrong
 * tokens from one client address (the proxy's report of it under `server.trustProxy`) get 429
 * for a while: failures are throttled, never the holders of a right token. No token is ever
 * logged. Authorization (SPEC §19): the route's policy, declared next to it with `Access`
 * (admin-access.ts), decided by access/roles.ts `authorize`: another account's route answers
 * 404 as a missing account would, a server-wide route or one outside the role 403.
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  private readonly logger = new Logger(AdminAuthGuard.name);
  private readonly expected: Buffer;
  private readonly blockedUntil = new Map<string, number>();
  private readonly trustProxy: boolean;

  constructor(
    secrets: SecretsService,
    configuration: ConfigurationService,
    private readonly failures: ThrottlerStorageService,
    private readonly credentials: CredentialsService,
    private readonly reflector: Reflector,
  ) {
    this.expected = digest(secrets.adminToken);
    this.trustProxy = configuration.startup['server.trustProxy'];
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AdminRequest>();
    const client = clientAddress(request, this.trustProxy);
    const authorization = request.headers.authorization;
    const principal = await this.principal(authorization);
    if (principal) {
      request.principal = principal;
      request.adminActor = actorOf(principal, client);
      return this.authorized(context, request, principal);
    }
    if (authorization === undefined) throw this.unauthorized();
    const now = Date.now();
    const blocked = this.blockedUntil.get(client);
    if (blocked !== undefined && blocked > now) {
      const reply = context.switchToHttp().getResponse<FastifyReply>();
      void reply.header('retry-after', String(Math.ceil((blocked - now) / 1000)));
      throw new PantryError(
        ErrorCode.TooManyRequests,
        'Too many failed authentication attempts from this address; try again later.',
      );
    }
    // Only presented-and-wrong credentials count as attempts: a bare request guesses nothing.
    const record = await this.failures.increment(
      `admin-auth:${client}`,
      AUTH_FAILURE_WINDOW_MS,
      AUTH_FAILURE_LIMIT,
      AUTH_BLOCK_MS,
      'admin-auth',
    );
    if (record.isBlocked) {
      this.blockedUntil.set(client, now + AUTH_BLOCK_MS);
      inRequest(request.id, () =>
        this.logger.warn(`blocking admin authentication from ${client} after repeated failures`),
      );
    }
    throw this.unauthorized();
  }

  private unauthorized(): PantryError {
    return new PantryError(
      ErrorCode.Unauthorized,
      'Send the admin token or an account credential as "Authorization: Bearer <token>".',
    );
  }

  /** The admin token, an account credential, or null. */
  private async principal(header: string | undefined): Promise<Principal | null> {
    const m = header === undefined ? null : /^Bearer[ ]+(\S{1,1024})\s*$/i.exec(header);
    const token = m ? m[1] : '';
    // Compare even when the header is malformed, so timing does not tell the two apart.
    if (timingSafeEqual(digest(token), this.expected) && m !== null) return ADMIN;
    return token.startsWith(TOKEN_PREFIX) ? this.credentials.authenticate(token) : null;
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
