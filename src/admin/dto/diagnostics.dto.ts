import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

export class DiagnosticsQueryDto {
  @ApiProperty({ description: 'A page of the site', example: 'https://www.shop.com/' })
  @IsString()
  @MaxLength(2000)
  page!: string;

  @ApiPropertyOptional({
    description: "Where the page reaches Pantry (default: the page's own origin)",
    example: 'https://cookies.shop.com',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  server?: string;
}

class ReasonDto {
  @ApiProperty({
    enum: [
      'script_storage',
      'third_party',
      'dns_failed',
      'cname_cloaking',
      'ip_mismatch',
      'durable',
    ],
  })
  code!: string;

  @ApiProperty({ description: 'What it means and what to change' })
  message!: string;
}

class AddressesDto {
  @ApiProperty({ type: [String] })
  page!: string[];

  @ApiProperty({ type: [String] })
  server!: string[];
}

class KeeperDiagnosisDto {
  @ApiProperty({ type: [String], example: ['ga', 'segment'], description: 'keeper.cookies' })
  cookies!: string[];

  @ApiProperty({
    description:
      'Whether the cookie keeper keeps anything for this page: only where Pantry answers same-site with it, in PRODUCT_DOMAIN',
  })
  keeps!: boolean;

  @ApiProperty({ description: 'What it keeps, or why nothing and what to change' })
  message!: string;
}

export class DiagnosisDto {
  @ApiProperty({ example: 'shop' })
  account!: string;

  @ApiProperty({ example: 'https://www.shop.com/' })
  page!: string;

  @ApiProperty({ example: 'https://cookies.shop.com' })
  server!: string;

  @ApiProperty({ enum: ['same-origin', 'document', 'edge', 'subdomain', 'cross-site'] })
  mode!: string;

  @ApiProperty({ enum: ['PRODUCT_DOMAIN', 'LOCAL_STORAGE', 'LOCAL_DOMAIN_STORAGE'] })
  corsCookieMode!: string;

  @ApiProperty({
    nullable: true,
    enum: [400, 7],
    description: 'null: blocked as third-party, or unknown',
  })
  lifetimeDays!: number | null;

  @ApiProperty({ enum: ['durable', 'capped', 'unknown'] })
  verdict!: string;

  @ApiProperty({ type: [ReasonDto] })
  reasons!: ReasonDto[];

  @ApiProperty({ type: AddressesDto })
  addresses!: AddressesDto;

  @ApiProperty({ type: KeeperDiagnosisDto })
  keeper!: KeeperDiagnosisDto;
}
