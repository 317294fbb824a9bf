import { Body, Controller, HttpCode, Options, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AccountsService } from '../accounts/accounts.service';
import { CookiePlanService } from '../cookies/cookie-plan.service';
import { API_KEY_PATTERN } from '../properties/property-values';
import { ApiKeyGuard, requestApiKey } from './api-key.guard';
import { ConsentDto } from './consent.dto';
import { CurrentAccount } from './visitor-context';
import type { RequestWithAccount, VisitorAccount } from './visitor-context';
import { visitorRequest } from './visitor-request';
import { VisitorResponse, VisitorService } from './visitor.service';

/** Sends a VisitorResponse: status, headers, JSON body. */
function send<T>(reply: FastifyReply, response: VisitorResponse<T>): T | undefined {
  void reply.status(response.status).headers(response.headers);
  return response.body;
}

/** The visitor API, under `server.publicPathPrefix` (default /unblu). */
@Controller()
export class VisitorController {
  constructor(
    private readonly visitors: VisitorService,
    private readonly plans: CookiePlanService,
    private readonly accounts: AccountsService,
  ) {}

  @Post('v1/identify')
  @HttpCode(200)
  @UseGuards(ApiKeyGuard)
  identify(
    @CurrentAccount() account: VisitorAccount,
    @Req() request: RequestWithAccount,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return send(
      reply,
      this.visitors.identify(account, visitorRequest(request, this.plans.serverPrefix)),
    );
  }

  @Post('v1/consent')
  @HttpCode(200)
  @UseGuards(ApiKeyGuard)
  consent(
    @CurrentAccount() account: VisitorAccount,
    @Body() body: ConsentDto,
    @Req() request: RequestWithAccount,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return send(
      reply,
      this.visitors.consent(
        account,
        visitorRequest(request, this.plans.serverPrefix),
        body.granted,
      ),
    );
  }

  /** Preflight: the key, when the URL carries it, picks the account's allowlist. */
  @Options(['v1/identify', 'v1/consent'])
  preflight(@Req() request: RequestWithAccount, @Res({ passthrough: true }) reply: FastifyReply) {
    const prefix = this.plans.serverPrefix;
    const apiKey = requestApiKey(request, prefix);
    const accountId =
      apiKey && API_KEY_PATTERN.test(apiKey) ? this.accounts.accountForApiKey(apiKey) : null;
    const account =
      accountId && apiKey
        ? { accountId, apiKey, plan: this.plans.planFor(accountId, apiKey) }
        : null;
    return send(reply, this.visitors.preflight(account, visitorRequest(request, prefix)));
  }
}
