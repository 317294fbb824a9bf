import { inRequest } from '../logging/request-context';
import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { ThrottlerStorageService } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createHash, timingSafeEqual } from 'node:crypto';
import { clientAddress } from '../http/client-address';
import { ErrorCode, PantryError } from '../common/errors';
import { ConfigurationService } from '../properties/configuration.service';
import { SecretsService } from '../secrets/secrets.service';

/** Failed attempts allowed per client and window… */
const AUTH_FAILURE_LIMIT = 30;
const AUTH_FAILURE_WINDOW_MS = 60_000;
/** …before the client is refused for this long. */
const AUTH_BLOCK_MS = 5 * 60_000;

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export type AdminRequest = FastifyRequest & { adminActor?: string };

/**
 * `Authorization: Bearer <admin token>`, compared in constant time (both sides hashed to equal
 * length first). The right token always passes. Repeated wrong credentials from one client
 * address (the proxy's report of it under `server.trustProxy`) get 429 for a while: failures
 * are throttled, never the admins who hold the token. The token is never logged.
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
  ) {
    this.expected = digest(secrets.adminToken);
    this.trustProxy = configuration.startup['server.trustProxy'];
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AdminRequest>();
    const client = clientAddress(request, this.trustProxy);
    const authorization = request.headers.authorization;
    if (this.valid(authorization)) {
      request.adminActor = `admin@${client}`;
      return true;
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
      'Send the admin token as "Authorization: Bearer <token>".',
    );
  }

  private valid(header: string | undefined): boolean {
    const m = header === undefined ? null : /^Bearer[ ]+(\S{1,1024})\s*$/i.exec(header);
    // Compare even when the header is malformed, so timing does not tell the two apart.
    const given = digest(m ? m[1] : '');
    return timingSafeEqual(given, this.expected) && m !== null;
  }
}
