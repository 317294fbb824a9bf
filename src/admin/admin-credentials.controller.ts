import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { CredentialsService } from '../access/credentials.service';
import { ErrorCode, PantryError } from '../common/errors';
import { TenantService } from '../tenants/tenant.service';
import { Access } from './admin-access';
import { AdminActor } from './admin-actor.decorator';
import { AdminApi } from './admin-api.decorator';
import { AccountIdPipe } from './admin.pipes';
import { ErrorDto } from './dto/audit.dto';
import { CreateCredentialDto, CreatedCredentialDto, CredentialDto } from './dto/credential.dto';

const CREDENTIAL_ID = /^cred_[A-Za-z0-9_-]{1,27}$/;

@ApiTags('credentials')
@AdminApi()
@ApiNotFoundResponse({ type: ErrorDto, description: 'No such account, or no such credential' })
@Controller('admin/v1/accounts/:id/credentials')
export class AdminCredentialsController {
  constructor(
    private readonly credentials: CredentialsService,
    private readonly tenants: TenantService,
  ) {}

  @Post()
  @Access.account('owner')
  @ApiOperation({
    summary: 'Create an account credential with a role; its token is in this answer only',
  })
  @ApiCreatedResponse({ type: CreatedCredentialDto })
  create(
    @AdminActor() actor: string,
    @Param('id', AccountIdPipe) id: string,
    @Body() body: CreateCredentialDto,
  ) {
    this.tenants.require(id);
    return this.credentials.create(actor, id, body.name, body.role);
  }

  @Get()
  @Access.account('owner', 'reader')
  @ApiOperation({ summary: "List an account's credentials (never their tokens)" })
  @ApiOkResponse({ type: [CredentialDto] })
  list(@Param('id', AccountIdPipe) id: string) {
    this.tenants.require(id);
    return this.credentials.list(id);
  }

  @Delete(':credentialId')
  @HttpCode(204)
  @Access.account('owner')
  @ApiOperation({ summary: 'Revoke a credential: it fails on every node from now on' })
  @ApiNoContentResponse()
  async revoke(
    @AdminActor() actor: string,
    @Param('id', AccountIdPipe) id: string,
    @Param('credentialId') credentialId: string,
  ) {
    this.tenants.require(id);
    if (!CREDENTIAL_ID.test(credentialId)) {
      throw new PantryError(
        ErrorCode.CredentialNotFound,
        `Account "${id}" has no credential ${JSON.stringify(credentialId.slice(0, 40))}.`,
      );
    }
    await this.credentials.revoke(actor, id, credentialId);
  }
}
