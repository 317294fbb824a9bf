import { applyDecorators, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { AdminAuthGuard } from './admin-auth.guard';
import { ErrorDto } from './dto/audit.dto';

/**
 * Every admin controller: the guard (a bearer token, or the console's session cookie) and its
 * OpenAPI description, declared together so that a new controller cannot have one without the
 * other.
 */
export const AdminApi = () =>
  applyDecorators(
    ApiBearerAuth(),
    ApiCookieAuth(),
    ApiUnauthorizedResponse({ type: ErrorDto, description: 'Missing or wrong admin token' }),
    UseGuards(AdminAuthGuard),
  );
