import { HttpException, HttpStatus } from '@nestjs/common';

/**
 * A domain error with a machine code; the global filter answers it as
 * `{"statusCode","error":code,"message"}`.
 */
export class PantryException extends HttpException {
  constructor(
    status: HttpStatus,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super({ statusCode: status, error: code, message, ...details }, status);
  }
}
