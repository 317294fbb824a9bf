import type { ValidationPipeOptions } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { ErrorCode, PantryError } from '../common/errors';

/** One set of validation rules for every request body: known fields only, typed. */
export const VALIDATION_OPTIONS = {
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
} satisfies ValidationPipeOptions;

const messages = (errors: ValidationError[]): string[] =>
  errors.flatMap((e) => [...Object.values(e.constraints ?? {}), ...messages(e.children ?? [])]);

/**
 * A body type, optionally with `accepts`: a check narrower than its decorators for the one
 * shape its callers send, so that shape skips class-transformer and class-validator.
 */
interface BodyType<T extends object> {
  new (): T;
  accepts?(body: object): body is T;
}

/**
 * Validates a body outside Nest's pipes (routes mounted on Fastify directly), same rules and
 * the same answer as Nest's ValidationPipe (400 `bad_request`, the messages joined by "; ").
 */
export function validateBody<T extends object>(type: BodyType<T>, body: unknown): T {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new PantryError(ErrorCode.BadRequest, 'The request body must be a JSON object.');
  }
  if (type.accepts?.(body)) return body;
  const instance = plainToInstance(type, body);
  const errors = validateSync(instance, VALIDATION_OPTIONS);
  if (errors.length > 0) throw new PantryError(ErrorCode.BadRequest, messages(errors).join('; '));
  return instance;
}
