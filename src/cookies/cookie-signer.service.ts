import { Injectable } from '@nestjs/common';
import { SecretsService } from '../secrets/secrets.service';
import { CookieSigner } from './cookie-signer';

/** The signer with the server's signing secrets (IMMUTABLE: fixed for the process's life). */
@Injectable()
export class CookieSignerService extends CookieSigner {
  constructor(secrets: SecretsService) {
    super(secrets.signingSecrets);
  }
}
