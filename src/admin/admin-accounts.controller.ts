import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Access } from './admin-access';
import { AdminActor } from './admin-actor.decorator';
import { AdminApi } from './admin-api.decorator';
import { AccountIdPipe, ApiKeyPipe } from './admin.pipes';
import { AdminService } from './admin.service';
import {
  AccountDto,
  ApiKeyDto,
  CreateAccountDto,
  CreateApiKeyDto,
  UpdateAccountDto,
} from './dto/account.dto';
import { ErrorDto } from './dto/audit.dto';

@ApiTags('accounts')
@AdminApi()
@Controller('admin/v1/accounts')
export class AdminAccountsController {
  constructor(private readonly admin: AdminService) {}

  @Get()
  @Access.server()
  @ApiOperation({ summary: 'List accounts (from files and from the API)' })
  @ApiOkResponse({ type: [AccountDto] })
  list() {
    return this.admin.listAccounts();
  }

  @Post()
  @Access.server()
  @ApiOperation({ summary: 'Create an account (stored in the database) with a first API key' })
  @ApiCreatedResponse({ type: AccountDto })
  @ApiConflictResponse({
    type: ErrorDto,
    description: 'The id is taken (account_exists), or the API key (api_key_taken)',
  })
  create(@AdminActor() actor: string, @Body() body: CreateAccountDto) {
    return this.admin.createAccount(actor, body.id, body.name, body.apiKey);
  }

  @Get(':id')
  @Access.account('owner', 'editor', 'reader')
  @ApiOperation({ summary: 'Read an account' })
  @ApiOkResponse({ type: AccountDto })
  @ApiNotFoundResponse({ type: ErrorDto })
  get(@Param('id', AccountIdPipe) id: string) {
    return this.admin.getAccount(id);
  }

  @Patch(':id')
  @Access.account('owner')
  @ApiOperation({ summary: 'Rename an API account (file accounts are edited in their file)' })
  @ApiOkResponse({ type: AccountDto })
  @ApiConflictResponse({ type: ErrorDto, description: 'Defined by a file' })
  update(
    @AdminActor() actor: string,
    @Param('id', AccountIdPipe) id: string,
    @Body() body: UpdateAccountDto,
  ) {
    return this.admin.renameAccount(actor, id, body.name);
  }

  @Delete(':id')
  @Access.account('owner')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an API account with its keys, overrides and visitor records' })
  @ApiNoContentResponse()
  @ApiConflictResponse({ type: ErrorDto, description: 'Defined by a file (the message names it)' })
  async remove(@AdminActor() actor: string, @Param('id', AccountIdPipe) id: string) {
    await this.admin.deleteAccount(actor, id);
  }

  @Get(':id/apikeys')
  @Access.account('owner', 'editor', 'reader')
  @ApiTags('api keys')
  @ApiOperation({ summary: "List an account's API keys" })
  @ApiOkResponse({ type: [ApiKeyDto] })
  listKeys(@Param('id', AccountIdPipe) id: string) {
    return this.admin.listKeys(id);
  }

  @Post(':id/apikeys')
  @Access.account('owner', 'editor')
  @ApiTags('api keys')
  @ApiOperation({
    summary: 'Add an API key (given, or generated URL-safe); it works at once',
  })
  @ApiCreatedResponse({ type: ApiKeyDto })
  @ApiConflictResponse({
    type: ErrorDto,
    description: 'Another account has the key (api_key_taken)',
  })
  createKey(
    @AdminActor() actor: string,
    @Param('id', AccountIdPipe) id: string,
    @Body() body: CreateApiKeyDto,
  ) {
    return this.admin.createKey(actor, id, body.key);
  }

  @Delete(':id/apikeys/:key')
  @Access.account('owner', 'editor')
  @HttpCode(204)
  @ApiTags('api keys')
  @ApiOperation({ summary: 'Revoke an API key; it stops working at once' })
  @ApiNoContentResponse()
  @ApiConflictResponse({ type: ErrorDto, description: 'Listed in the account file' })
  async revokeKey(
    @AdminActor() actor: string,
    @Param('id', AccountIdPipe) id: string,
    @Param('key', ApiKeyPipe) key: string,
  ) {
    await this.admin.revokeKey(actor, id, key);
  }
}
