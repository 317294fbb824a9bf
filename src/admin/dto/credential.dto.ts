import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, Matches } from 'class-validator';
import { ROLES } from '../../access/roles';
import type { Role } from '../../access/roles';

export class CreateCredentialDto {
  @ApiProperty({
    example: 'checkout backend',
    description: 'Who holds it (1–64 printable characters)',
  })
  @IsString()
  @Matches(/^[\x20-\x7e]{1,64}$/, { message: 'name must be 1 to 64 printable ASCII characters' })
  name!: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES, { message: `role must be one of ${ROLES.join(', ')}` })
  role!: Role;
}

export class CredentialDto {
  @ApiProperty({ example: 'cred_5Tq1uYg3kq2b1m9X' })
  id!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ enum: ROLES })
  role!: string;

  @ApiProperty({ example: '2026-11-22T10:00:00.000Z' })
  createdAt!: string;
}

export class CreatedCredentialDto extends CredentialDto {
  @ApiProperty({
    example: 'pty_3q2-7wFv0cX9nS1rYVb8kQ4m0LtJzHh6aPeUdGiW5oE',
    description: 'The token: shown in this answer only (Pantry keeps its hash)',
  })
  token!: string;
}
