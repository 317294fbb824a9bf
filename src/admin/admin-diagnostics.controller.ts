import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { diagnose } from '../diagnostics/diagnosis';
import { HostResolver } from '../diagnostics/host-resolver';
import { TenantService } from '../tenants/tenant.service';
import { Access } from './admin-access';
import { AdminApi } from './admin-api.decorator';
import { AccountIdPipe } from './admin.pipes';
import { ErrorDto } from './dto/audit.dto';
import { DiagnosisDto, DiagnosticsQueryDto } from './dto/diagnostics.dto';

@ApiTags('diagnostics')
@AdminApi()
@Controller('admin/v1/accounts/:id/diagnostics')
export class AdminDiagnosticsController {
  constructor(
    private readonly tenants: TenantService,
    private readonly resolver: HostResolver,
  ) {}

  @Get()
  @Access.account('owner', 'editor', 'reader')
  @ApiOperation({
    summary: "How long Safari keeps the account's identity cookies for a visitor on `page`",
  })
  @ApiOkResponse({ type: DiagnosisDto })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'page or server is not an http(s) URL' })
  get(@Param('id', AccountIdPipe) id: string, @Query() query: DiagnosticsQueryDto) {
    this.tenants.require(id);
    return diagnose(
      this.resolver,
      id,
      this.tenants.propertiesOf(id).values,
      query.page,
      query.server,
    );
  }
}
