import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension, ApiForbiddenResponse } from '@nestjs/swagger';
import type { Role, RoutePolicy } from '../access/roles';
import { ErrorDto } from './dto/audit.dto';

/** Where a route's policy is kept for the admin guard (read with Nest's Reflector). */
export const ROUTE_POLICY = 'pantry:route-policy';

/**
 * A route's access policy, declared next to the route (SPEC §19) and read by the one guard of
 * every admin route (admin-auth.guard.ts); a route without one is the admin token's only. The
 * OpenAPI description names the roles (`x-pantry-roles`, and in the 403 answer).
 */
export const Access = {
  /** Server-wide: the global admin token only. */
  server: () =>
    applyDecorators(
      SetMetadata(ROUTE_POLICY, { kind: 'server' } satisfies RoutePolicy),
      ApiExtension('x-pantry-roles', []),
      ApiForbiddenResponse({
        type: ErrorDto,
        description:
          'An account credential: a server-wide route, the admin token only (server_route)',
      }),
    ),
  /** A route of one account (`:id`): these roles of its credentials, and the admin token. */
  account: (...roles: Role[]) =>
    applyDecorators(
      SetMetadata(ROUTE_POLICY, { kind: 'account', roles } satisfies RoutePolicy),
      ApiExtension('x-pantry-roles', roles),
      ApiForbiddenResponse({
        type: ErrorDto,
        description: `An account credential whose role is not ${roles.join(', ')} (role_not_allowed); another account's credential gets 404`,
      }),
    ),
};
