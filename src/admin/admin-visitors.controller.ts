import { Controller, Delete, Get, HttpCode, Param } from '@nestjs/common';
import {
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Access } from './admin-access';
import { AdminActor } from './admin-actor.decorator';
import { AdminApi } from './admin-api.decorator';
import { AccountIdPipe, VisitorIdPipe } from './admin.pipes';
import { AdminService } from './admin.service';
import { ErrorDto } from './dto/audit.dto';
import { VisitorDto } from './dto/visitor.dto';

@ApiTags('visitors')
@AdminApi()
@ApiNotFoundResponse({ type: ErrorDto, description: 'No such account, or no such visitor in it' })
@Controller('admin/v1/accounts/:id/visitors')
export class AdminVisitorsController {
  constructor(private readonly admin: AdminService) {}

  @Get(':visitorId')
  @Access.account('owner', 'privacy', 'reader', 'backend')
  @ApiOperation({ summary: "A visitor's record: first and last seen, last device, consent" })
  @ApiOkResponse({ type: VisitorDto })
  get(
    @Param('id', AccountIdPipe) id: string,
    @Param('visitorId', VisitorIdPipe) visitorId: string,
  ) {
    return this.admin.getVisitor(id, visitorId);
  }

  @Delete(':visitorId')
  @Access.account('owner', 'privacy')
  @HttpCode(204)
  @ApiOperation({
    summary:
      'Erase a visitor: its record is deleted and its cookies are refused from now on (new ids are issued)',
  })
  @ApiNoContentResponse()
  async erase(
    @AdminActor() actor: string,
    @Param('id', AccountIdPipe) id: string,
    @Param('visitorId', VisitorIdPipe) visitorId: string,
  ) {
    await this.admin.eraseVisitor(actor, id, visitorId);
  }
}
