import { HttpStatus, Injectable, PipeTransform } from '@nestjs/common';
import { CUSTOMER_ID_RULE, customerIdProblem } from '../auth/customer-id';
import { PantryException } from '../common/pantry.exception';
import { ACCOUNT_ID_PATTERN, API_KEY_PATTERN } from '../properties/property-values';

function patternPipe(pattern: RegExp, code: string, what: string) {
  @Injectable()
  class PatternPipe implements PipeTransform<string, string> {
    transform(value: string): string {
      if (typeof value !== 'string' || !pattern.test(value)) {
        throw new PantryException(
          HttpStatus.BAD_REQUEST,
          code,
          `${what} (got ${JSON.stringify(String(value).slice(0, 80))})`,
        );
      }
      return value;
    }
  }
  return PatternPipe;
}

export const AccountIdPipe = patternPipe(
  ACCOUNT_ID_PATTERN,
  'invalid_account_id',
  'An account id matches [a-z0-9][a-z0-9-]{0,62}',
);
export const ApiKeyPipe = patternPipe(
  API_KEY_PATTERN,
  'invalid_api_key',
  'An API key matches [A-Za-z0-9_-]{8,64}',
);
export const VisitorIdPipe = patternPipe(
  /^[A-Za-z0-9_-]{1,64}$/,
  'invalid_visitor_id',
  'A visitor id matches [A-Za-z0-9_-]{1,64}',
);
export const PropertyKeyPipe = patternPipe(
  /^[A-Za-z0-9._-]{1,120}$/,
  'unknown_property',
  'A property key is made of A-Z a-z 0-9 . _ -',
);
/** A customer id, by the same rule as login's (auth/customer-id.ts). */
@Injectable()
export class CustomerIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    const problem = customerIdProblem(value);
    if (problem !== null) {
      throw new PantryException(
        HttpStatus.BAD_REQUEST,
        'invalid_customer_id',
        `${CUSTOMER_ID_RULE}: ${problem}.`,
      );
    }
    return value;
  }
}
