import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { CookiePlan } from '../cookies/cookie-plan';

/** The account a visitor request is for, resolved once from its API key. */
export interface VisitorAccount {
  readonly accountId: string;
  readonly apiKey: string;
  readonly plan: CookiePlan;
}

export type RequestWithAccount = FastifyRequest & { pantryAccount?: VisitorAccount };

/** The account resolved by ApiKeyGuard. */
export const CurrentAccount = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): VisitorAccount => {
    const account = ctx.switchToHttp().getRequest<RequestWithAccount>().pantryAccount;
    if (!account) throw new Error('CurrentAccount used on a route without ApiKeyGuard');
    return account;
  },
);
