import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { ACCOUNT_ID_PATTERN, API_KEY_PATTERN } from '../../properties/property-values';

export class CreateAccountDto {
  @ApiProperty({ description: 'Account id: [a-z0-9][a-z0-9-]{0,62}', example: 'acme' })
  @IsString()
  @Matches(ACCOUNT_ID_PATTERN, { message: 'id must match [a-z0-9][a-z0-9-]{0,62}' })
  id!: string;

  @ApiPropertyOptional({ description: 'Display name (default: the id)', example: 'Acme Shop' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({
    description:
      'The first API key, e.g. one pages already embed (default: a generated one); 409 api_key_taken when any account has it',
    example: 'acme-shop-key-01',
  })
  @IsOptional()
  @IsString()
  @Matches(API_KEY_PATTERN, { message: 'apiKey must match [A-Za-z0-9_-]{8,64}' })
  apiKey?: string;
}

export class CreateApiKeyDto {
  @ApiPropertyOptional({
    description:
      'The key to add (default: a generated one); 409 api_key_taken when any account has it',
    example: 'acme-shop-key-02',
  })
  @IsOptional()
  @IsString()
  @Matches(API_KEY_PATTERN, { message: 'key must match [A-Za-z0-9_-]{8,64}' })
  key?: string;
}

export class UpdateAccountDto {
  @ApiProperty({ description: 'Display name', example: 'Acme Shop' })
  @IsString()
  @Length(1, 200)
  name!: string;
}

export class ApiKeyDto {
  @ApiProperty({ example: 'kY3f0cWm2Jq9yV8nXp1RZw' })
  key!: string;

  @ApiProperty({
    enum: ['file', 'api'],
    description: 'Listed in the account file, or created through this API',
  })
  source!: 'file' | 'api';

  @ApiProperty({ nullable: true, type: String, description: 'ISO time of creation (API keys)' })
  createdAt!: string | null;
}

export class AccountDto {
  @ApiProperty({ example: 'acme' })
  id!: string;

  @ApiProperty({ example: 'Acme Shop' })
  name!: string;

  @ApiProperty({
    enum: ['file', 'api'],
    description: 'Defined by a properties file, or created through this API',
  })
  source!: 'file' | 'api';

  @ApiPropertyOptional({
    description: 'The defining file (file accounts)',
    example: 'config/accounts/acme.properties',
  })
  file?: string;

  @ApiProperty({ type: [ApiKeyDto] })
  apiKeys!: ApiKeyDto[];
}

/** The body of routes that take none: absent or `{}`; any field is refused like everywhere. */
export class EmptyBodyDto {}
