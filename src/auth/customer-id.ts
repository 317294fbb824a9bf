/**
 * A customer id (SPEC §11): the site's own identifier of a person, 1 to this many characters
 * (Unicode code points, as PostgreSQL's varchar(256) counts them). The one limit login, the
 * admin customer routes and the stored columns share.
 */
export const CUSTOMER_ID_MAX_LENGTH = 256;

/**
 * The longest a path parameter holding a valid customer id can be as sent: each character
 * at most 4 UTF-8 bytes, each byte percent-encoded as 3 characters. The router's parameter
 * limit (app.setup.ts) is this, so every valid id reaches its route and the validation there,
 * whether the router measures the parameter as sent or decoded (find-my-way 9 decodes first).
 */
export const CUSTOMER_ID_MAX_ENCODED_LENGTH = CUSTOMER_ID_MAX_LENGTH * 4 * 3;

/** Placeholders a site's backend sends when it has no id; never a real customer. */
const PLACEHOLDERS = new Set(['null', 'undefined', 'anonymous', '0', 'none', 'nil']);

/**
 * Characters that show nothing: Unicode format (zero-width space, joiners, BOM, bidi marks),
 * separators and white space. An id made only of them is blank.
 */
const INVISIBLE = /^[\p{Cf}\p{Z}\s]+|[\p{Cf}\p{Z}\s]+$/gu;
/** Control characters and lone surrogates (not text at all): refused anywhere in an id. */
const NOT_TEXT = /[\p{Cc}\p{Cs}]/u;

/**
 * Why a value is not a customer id, or null when it is one: a string of 1 to
 * CUSTOMER_ID_MAX_LENGTH printable characters, not blank (only invisible characters), not a
 * placeholder, no control characters.
 */
export function customerIdProblem(value: unknown): string | null {
  if (typeof value !== 'string') return 'it is not a string';
  // Counted in code points (an emoji is one character, as the database counts it); a code
  // point is at most two UTF-16 units, so a longer string is over without counting.
  if (value.length > CUSTOMER_ID_MAX_LENGTH * 2 || [...value].length > CUSTOMER_ID_MAX_LENGTH) {
    return `it is over ${CUSTOMER_ID_MAX_LENGTH} characters`;
  }
  if (NOT_TEXT.test(value)) return 'it contains control characters';
  const visible = value.replace(INVISIBLE, '');
  if (visible === '') return 'it is empty or only invisible characters';
  if (PLACEHOLDERS.has(visible.toLowerCase())) return 'it is a placeholder, not a customer';
  return null;
}

/** The rule, as the error messages state it. */
export const CUSTOMER_ID_RULE = `A customer id is 1 to ${CUSTOMER_ID_MAX_LENGTH} printable characters, not a placeholder`;
