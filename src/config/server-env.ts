import { registerAs } from '@nestjs/config';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';

/** Process environment Pantry reads (SPEC §1), validated once at start. */
export class ServerEnv {
  @Transform(({ value }: { value: unknown }) => (value === undefined ? 3000 : Number(value)))
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  @MinLength(1)
  HOST = '127.0.0.1';

  @IsString()
  @MinLength(1)
  PANTRY_CONFIG_DIR = './config';

  @IsOptional()
  @Matches(/^[\x21-\x7e]{16,512}$/, {
    message: 'PANTRY_ADMIN_TOKEN must be 16 to 512 visible ASCII characters without spaces',
  })
  PANTRY_ADMIN_TOKEN?: string;
}

export function validateServerEnv(env: Record<string, unknown>): ServerEnv {
  const known = Object.fromEntries(
    Object.keys(new ServerEnv())
      .concat('PANTRY_ADMIN_TOKEN')
      .filter((k) => env[k] !== undefined && env[k] !== '')
      .map((k) => [k, env[k]]),
  );
  const parsed = plainToInstance(ServerEnv, known);
  const errors = validateSync(parsed, { skipMissingProperties: false });
  if (errors.length > 0) {
    // Never echo values: PANTRY_ADMIN_TOKEN is a secret.
    const lines = errors.flatMap((e) => Object.values(e.constraints ?? {}));
    throw new Error(`invalid environment:\n${lines.map((l) => `environment: ${l}`).join('\n')}`);
  }
  return parsed;
}

const SERVER_ENV = 'server';
export const serverEnv = registerAs(SERVER_ENV, () => validateServerEnv(process.env));
