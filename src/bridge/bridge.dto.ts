import { IsString, MaxLength } from 'class-validator';

/** `POST <prefix>/v1/bridge` */
export class BridgeDto {
  /** The URL on a bridge target the visitor is about to open. */
  @IsString()
  @MaxLength(2000)
  to!: string;
}
