import { ErrorCode, PantryError } from '../common/errors';

/**
 * Why a login whose assertion verified was still refused, for the metrics' and the access
 * log's outcome: one code can mean several things (`invalid_assertion` is both a bad
 * signature and a reused `jti`), so the reason is a field, never read from the message.
 */
export enum LoginRefusal {
  /** The assertion's `jti` was used by an earlier login (on any node). */
  AssertionReused = 'assertion_reused',
}

/** A login refused after its assertion verified: its SPEC code and status, and the reason. */
export class LoginRefusedError extends PantryError {
  constructor(
    readonly reason: LoginRefusal,
    code: ErrorCode,
    message: string,
  ) {
    super(code, message);
    this.name = 'LoginRefusedError';
  }
}

/** A reused `jti`: 401 `invalid_assertion` (SPEC §11), reason `assertion_reused`. */
export const assertionReused = (): LoginRefusedError =>
  new LoginRefusedError(
    LoginRefusal.AssertionReused,
    ErrorCode.InvalidAssertion,
    'This assertion was used already (jti); sign a new one for each login.',
  );
