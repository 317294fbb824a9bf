import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import { ROLES } from '../../access/roles';

export class SignInDto {
  @ApiProperty({
    description: 'The admin token, or an account credential (`pty_…`)',
    example: 'pty_3q2-7wFv0cX9nS1rYVb8kQ4m0LtJzHh6aPeUdGiW5oE',
  })
  @IsString()
  @Length(1, 1024)
  token!: string;
}

export class SessionCredentialDto {
  @ApiProperty({ example: 'cred_5Tq1uYg3kq2b1m9X' })
  id!: string;

  @ApiProperty({ example: 'Shop site lead' })
  name!: string;
}

export class SessionDto {
  @ApiProperty({
    enum: ['admin', ...ROLES],
    description: '`admin` for the admin token, else the credential’s role',
  })
  role!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The credential’s account; null for the admin token (every account)',
    example: 'shop',
  })
  account!: string | null;

  @ApiProperty({ type: SessionCredentialDto, nullable: true })
  credential!: SessionCredentialDto | null;

  @ApiProperty({
    description:
      'Send it as `x-pantry-csrf` on every POST, PUT, PATCH and DELETE made with the session',
  })
  csrfToken!: string;

  @ApiProperty({
    description: 'When the session ends at the latest (`admin.consoleSessionMaxSeconds`)',
  })
  expiresAt!: string;

  @ApiProperty({
    description: 'Unused this long, the session ends (`admin.consoleSessionIdleSeconds`)',
  })
  idleTimeoutSeconds!: number;
}
