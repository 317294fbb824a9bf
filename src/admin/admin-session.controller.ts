import { Body, Controller, Delete, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import {
  ApiCookieAuth,
  ApiExtension,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ROLES } from '../access/roles';
import { AdminSessionService } from './admin-session.service';
import { ErrorDto } from './dto/audit.dto';
import { SessionDto, SignInDto } from './dto/session.dto';

/**
 * The operator console's session (SPEC §17). Not behind the admin guard: signing in is how a
 * browser gets in, and the other two routes take the session cookie only.
 */
@ApiTags('console')
// Every principal may sign in, see its session and sign out: the admin token and each role.
@ApiExtension('x-pantry-roles', [...ROLES])
@Controller('admin/v1/session')
export class AdminSessionController {
  constructor(private readonly session: AdminSessionService) {}

  @Post()
  @HttpCode(204)
  @ApiOperation({
    summary:
      'Sign in to the console: the admin token or an account credential for an HttpOnly, SameSite=Strict session cookie on /admin',
  })
  @ApiNoContentResponse({ description: 'Signed in: `Set-Cookie: pantry-console=…`' })
  @ApiUnauthorizedResponse({ type: ErrorDto, description: 'Wrong token (counted, as at the API)' })
  @ApiTooManyRequestsResponse({ type: ErrorDto, description: 'Too many wrong tokens' })
  @ApiForbiddenResponse({
    type: ErrorDto,
    description: 'Plain HTTP across a network (insecure_transport)',
  })
  signIn(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Body() body: SignInDto,
  ) {
    return this.session.signIn(request, reply, body.token);
  }

  @Get()
  @ApiCookieAuth()
  @ApiOperation({ summary: 'Who is signed in with the session cookie, and its CSRF token' })
  @ApiOkResponse({ type: SessionDto })
  @ApiUnauthorizedResponse({ type: ErrorDto, description: 'No session (session_ended)' })
  current(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.session.current(request, reply);
  }

  @Delete()
  @HttpCode(204)
  @ApiCookieAuth()
  @ApiOperation({ summary: 'Sign out: the session ends on every node, the cookie is cleared' })
  @ApiNoContentResponse()
  @ApiUnauthorizedResponse({ type: ErrorDto, description: 'No session (session_ended)' })
  @ApiForbiddenResponse({ type: ErrorDto, description: 'No CSRF token (csrf_token_invalid)' })
  signOut(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.session.signOut(request, reply);
  }
}
