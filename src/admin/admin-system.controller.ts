import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminActor } from './admin-actor.decorator';
import { AdminApi } from './admin-api.decorator';
import { AdminService } from './admin.service';
import { AuditService } from '../audit/audit.service';
import { EmptyBodyDto } from './dto/account.dto';
import {
  AccountAuditQueryDto,
  AuditEntryDto,
  AuditQueryDto,
  ErrorDto,
  ReloadSummaryDto,
} from './dto/audit.dto';
import { Access } from './admin-access';
import { AccountIdPipe } from './admin.pipes';
import { TenantService } from '../tenants/tenant.service';
import { AdminStatusService } from './admin-status.service';
import { StatusDto } from './dto/status.dto';

@AdminApi()
@Controller('admin/v1')
export class AdminSystemController {
  constructor(
    private readonly admin: AdminService,
    private readonly audit: AuditService,
    private readonly tenants: TenantService,
    private readonly statusOf: AdminStatusService,
  ) {}

  @Get('status')
  @Access.server()
  @ApiTags('status')
  @ApiOperation({
    summary: "This node's readiness, version, and answers per second over the last minutes",
  })
  @ApiOkResponse({ type: StatusDto })
  status() {
    return this.statusOf.status();
  }

  @Post('config/reload')
  @Access.server()
  @HttpCode(200)
  @ApiTags('configuration')
  @ApiOperation({
    summary: 'Re-read the properties files; on problems the last good configuration stays',
  })
  @ApiOkResponse({ type: ReloadSummaryDto })
  @ApiBadRequestResponse({
    type: ErrorDto,
    description: 'Every problem, as FILE:LINE: KEY: PROBLEM',
  })
  async reload(@AdminActor() actor: string, @Body() _body: EmptyBodyDto) {
    return { status: 'ok', ...(await this.admin.reload(actor)) };
  }

  @Get('audit')
  @Access.server()
  @ApiTags('audit')
  @ApiOperation({ summary: 'The audit log of admin changes, newest first' })
  @ApiOkResponse({ type: [AuditEntryDto] })
  list(@Query() query: AuditQueryDto) {
    return this.audit.list({
      accountId: query.accountId,
      limit: query.limit ?? 100,
      beforeId: query.before,
    });
  }

  @Get('accounts/:id/audit')
  @Access.account('owner', 'privacy', 'reader')
  @ApiTags('audit')
  @ApiOperation({ summary: "An account's audit entries, newest first" })
  @ApiOkResponse({ type: [AuditEntryDto] })
  listOfAccount(@Param('id', AccountIdPipe) id: string, @Query() query: AccountAuditQueryDto) {
    this.tenants.require(id);
    return this.audit.list({ accountId: id, limit: query.limit ?? 100, beforeId: query.before });
  }
}
