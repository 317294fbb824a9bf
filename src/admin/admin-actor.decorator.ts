import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { AdminRequest } from './admin-auth.guard';

/** Who made an admin request, for the audit log: `admin@<client address>`. */
export const AdminActor = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): string =>
    ctx.switchToHttp().getRequest<AdminRequest>().adminActor ?? 'admin',
);
