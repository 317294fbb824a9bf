import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { ACCOUNT_ID_PATTERN } from '../../properties/property-values';

/** Paging of the audit log (an account's, or with `accountId` the server's). */
export class AccountAuditQueryDto {
  @ApiPropertyOptional({ description: 'At most this many entries (1–500, default 100)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'Entries older than this id (paging)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  before?: number;
}

export class AuditQueryDto extends AccountAuditQueryDto {
  @ApiPropertyOptional({ description: 'Only changes of this account' })
  @IsOptional()
  @Matches(ACCOUNT_ID_PATTERN, { message: 'accountId must match [a-z0-9][a-z0-9-]{0,62}' })
  accountId?: string;
}

export class AuditEntryDto {
  @ApiProperty()
  id!: number;

  @ApiProperty({ example: '2026-11-22T10:00:00.000Z' })
  at!: string;

  @ApiProperty({ example: 'admin@127.0.0.1' })
  actor!: string;

  @ApiProperty({ example: 'property.set' })
  action!: string;

  @ApiProperty({ nullable: true, type: String })
  accountId!: string | null;

  @ApiProperty({ nullable: true, type: String })
  target!: string | null;

  @ApiProperty({ nullable: true, type: Object })
  details!: Record<string, unknown> | null;
}

export class ReloadSummaryDto {
  @ApiProperty({ example: 'ok' })
  status!: string;

  @ApiProperty({ description: 'Accounts defined by files after the reload' })
  accounts!: number;

  @ApiProperty({ type: [String] })
  added!: string[];

  @ApiProperty({ type: [String] })
  removed!: string[];

  @ApiProperty({
    type: [String],
    description: 'IMMUTABLE keys changed in the file: applied at the next restart',
  })
  restartRequired!: string[];
}

export class ErrorDto {
  @ApiProperty({ example: 400 })
  statusCode!: number;

  @ApiProperty({ example: 'invalid_property' })
  error!: string;

  @ApiProperty({
    example: 'identifier.cookieSameSite: must be one of Lax, Strict, None, AUTO (got "Laxx")',
  })
  message!: string;

  @ApiPropertyOptional({ type: [String], description: 'Every problem, for a failed reload' })
  problems?: string[];
}
