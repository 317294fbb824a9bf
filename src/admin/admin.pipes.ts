import { Injectable, PipeTransform } from '@nestjs/common';
import { CUSTOMER_ID_RULE, customerIdProblem } from '../auth/customer-id';
import { ErrorCode, PantryError } from '../common/errors';
import { ACCOUNT_ID_PATTERN, API_KEY_PATTERN } from '../properties/property-values';

function patternPipe(pattern: RegExp, code: ErrorCode, what: string) {
  @Injectable()
  class PatternPipe implements PipeTransform<string, string> {
    transform(value: string): string {
      if (typeof value !== 'string' || !pattern.test(value)) {
        throw new PantryError(code, `${what} (got ${JSON.stringify(String(value).slice(0, 80))})`);
      }
      return value;
    }
  }
  return PatternPipe;
}

export const AccountIdPipe = patternPipe(
  ACCOUNT_ID_PATTERN,
  ErrorCode.InvalidAccountId,
  'An account id matches [a-z0-9][a-z0-9-]{0,62}',
);
export const ApiKeyPipe = patternPipe(
  API_KEY_PATTERN,
  ErrorCode.InvalidApiKey,
  'An API key matches [A-Za-z0-9_-]{8,64}',
);
export const VisitorIdPipe = patternPipe(
  /^[A-Za-z0-9_-]{1,64}$/,
  ErrorCode.InvalidVisitorId,
  'A visitor id matches [A-Za-z0-9_-]{1,64}',
);
export const PropertyKeyPipe = patternPipe(
  /^[A-Za-z0-9._-]{1,120}$/,
  ErrorCode.UnknownProperty,
  'A property key is made of A-Z a-z 0-9 . _ -',
);
/** A customer id, by the same rule as login's (auth/customer-id.ts). */
@Injectable()
export class CustomerIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    const problem = customerIdProblem(value);
    if (problem !== null) {
      throw new PantryError(ErrorCode.InvalidCustomerId, `${CUSTOMER_ID_RULE}: ${problem}.`);
    }
    return value;
  }
}
