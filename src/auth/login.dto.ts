import { IsString, MaxLength } from 'class-validator';

/** `POST <prefix>/v1/login` */
export class LoginDto {
  /** The JWT the site's backend signed after its own login. */
  @IsString()
  @MaxLength(16_384)
  assertion!: string;
}
