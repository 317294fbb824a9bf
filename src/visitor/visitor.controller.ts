import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Options,
  Post,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AccountsService } from '../accounts/accounts.service';
import { CookiePlanService } from '../cookies/cookie-plan.service';
import { API_KEY_PATTERN } from '../properties/property-values';
import { ApiKeyGuard, requestApiKey } from './api-key.guard';
import { ConsentDto } from './consent.dto';
import { CurrentAccount } from './visitor-context';
import type { RequestWithAccount, VisitorAccount } from './visitor-context';
import { visitorRequest } from './visitor-request';
import { SnippetService } from './snippet.service';
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
    private readonly snippets: SnippetService,
  ) {}

  /** The embeddable snippet, configured for the account of its API key. */
  @Get('visitor.js')
  @UseGuards(ApiKeyGuard)
  snippet(
    @CurrentAccount() account: VisitorAccount,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return send(reply, this.snippets.serve(account, ifNoneMatch));
  }

  /** Which of the account's cookies arrived by Cookie and which by the echo header (names only). */
  @Post('v1/inspect')
  @HttpCode(200)
  @UseGuards(ApiKeyGuard)
  inspect(
    @CurrentAccount() account: VisitorAccount,
    @Req() request: RequestWithAccount,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return send(
      reply,
      this.visitors.inspect(account, visitorRequest(request, this.plans.serverPrefix)),
    );
  }

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
  @Options(['v1/identify', 'v1/consent', 'v1/inspect'])
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
