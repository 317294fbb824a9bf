import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';

export class SetPropertyDto {
  @ApiProperty({ description: 'The value, written as in a properties file', example: 'Strict' })
  @IsString()
  @MaxLength(4000)
  value!: string;
}

export class PropertyDto {
  @ApiProperty({ example: 'identifier.cookieSameSite' })
  key!: string;

  @ApiProperty({
    description: 'The effective value as written (secrets are redacted)',
    example: 'AUTO',
  })
  value!: string;

  @ApiProperty({
    enum: ['default', 'global', 'file', 'api'],
    description: 'Where the value comes from',
  })
  source!: 'default' | 'global' | 'file' | 'api';

  @ApiProperty({ enum: ['IMMUTABLE', 'GLOBAL', 'ACCOUNT'] })
  scope!: 'IMMUTABLE' | 'GLOBAL' | 'ACCOUNT';

  @ApiPropertyOptional({
    description: 'The value browsers apply, where it differs (400-day cap)',
    example: '34560000',
  })
  effectiveValue?: string;

  @ApiPropertyOptional({ description: 'Why the effective value differs' })
  note?: string;
}
