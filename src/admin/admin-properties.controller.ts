import { Body, Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Access } from './admin-access';
import { AdminActor } from './admin-actor.decorator';
import { AdminApi } from './admin-api.decorator';
import { AccountIdPipe, PropertyKeyPipe } from './admin.pipes';
import { AdminService } from './admin.service';
import { ErrorDto } from './dto/audit.dto';
import { PropertyDto, SetPropertyDto } from './dto/property.dto';

@ApiTags('properties')
@AdminApi()
@ApiNotFoundResponse({ type: ErrorDto, description: 'No such account' })
@Controller('admin/v1/accounts/:id/properties')
export class AdminPropertiesController {
  constructor(private readonly admin: AdminService) {}

  @Get()
  @Access.account('owner', 'editor', 'reader')
  @ApiOperation({ summary: 'Every effective property of the account, with its source and scope' })
  @ApiOkResponse({ type: [PropertyDto] })
  list(@Param('id', AccountIdPipe) id: string) {
    return this.admin.listProperties(id);
  }

  @Put(':key')
  @Access.account('owner', 'editor')
  @ApiOperation({
    summary:
      'Set an API override of an ACCOUNT property (validated like the files); applies to the next request',
  })
  @ApiOkResponse({ type: PropertyDto })
  @ApiBadRequestResponse({
    type: ErrorDto,
    description: 'Invalid value, unknown key, or a key the API may not set',
  })
  set(
    @AdminActor() actor: string,
    @Param('id', AccountIdPipe) id: string,
    @Param('key', PropertyKeyPipe) key: string,
    @Body() body: SetPropertyDto,
  ) {
    return this.admin.setProperty(actor, id, key, body.value);
  }

  @Delete(':key')
  @Access.account('owner', 'editor')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove an API override: the file or default value applies again' })
  @ApiNoContentResponse()
  async remove(
    @AdminActor() actor: string,
    @Param('id', AccountIdPipe) id: string,
    @Param('key', PropertyKeyPipe) key: string,
  ) {
    await this.admin.removeProperty(actor, id, key);
  }
}
