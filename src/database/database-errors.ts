/**
 * What a driver error means for the caller, independent of the database: a uniqueness
 * constraint (a domain conflict, 409), the database being unreachable or unwritable (503),
 * or anything else (a bug: 500).
 */

/** SQLite result codes that say the database cannot be used right now, not that the query is wrong. */
const SQLITE_UNAVAILABLE = new Set([
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_READONLY',
  'SQLITE_IOERR',
  'SQLITE_CANTOPEN',
  'SQLITE_FULL',
  'SQLITE_CORRUPT',
  'SQLITE_NOTADB',
  'SQLITE_PROTOCOL',
  'SQLITE_PERM',
  // node-sqlite3 answers a closed handle with SQLITE_MISUSE ("Database is closed").
  'SQLITE_MISUSE',
]);

/** Socket-level failures of a network database client. */
const NETWORK_UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
]);

interface DriverErrorShape {
  code?: unknown;
  message?: unknown;
  driverError?: unknown;
}

/** The driver's own error (TypeORM wraps it in QueryFailedError.driverError). */
function driverError(e: unknown): DriverErrorShape {
  if (typeof e !== 'object' || e === null) return {};
  const inner = (e as DriverErrorShape).driverError;
  return typeof inner === 'object' && inner !== null ? inner : e;
}

function codeOf(e: unknown): string {
  const code = driverError(e).code;
  return typeof code === 'string' ? code : '';
}

function messageOf(e: unknown): string {
  const message = driverError(e).message;
  return typeof message === 'string' ? message : '';
}

/** A UNIQUE or PRIMARY KEY constraint refused the row (SQLite, PostgreSQL 23505). */
export function isUniqueViolation(e: unknown): boolean {
  const code = codeOf(e);
  if (code === '23505') return true;
  return (
    code.startsWith('SQLITE_CONSTRAINT') && /UNIQUE constraint|PRIMARY KEY/i.test(messageOf(e))
  );
}

/** The database cannot be reached or written; retrying later may succeed. */
export function isDatabaseUnavailable(e: unknown): boolean {
  const code = codeOf(e);
  if (SQLITE_UNAVAILABLE.has(code.split(':')[0]) || NETWORK_UNAVAILABLE.has(code)) return true;
  // PostgreSQL: connection exceptions (08xxx), insufficient resources (53xxx), operator
  // intervention such as a shutdown (57Pxx).
  if (/^(08|53|57P)/.test(code)) return true;
  return /Connection terminated|Database is closed|not connected|DataSource is not initialized/i.test(
    messageOf(e),
  );
}

/** A short, value-free description for logs: the code, never the query or its parameters. */
export function describeDatabaseError(e: unknown): string {
  const code = codeOf(e);
  const message = messageOf(e).split('\n')[0].slice(0, 200);
  // node-sqlite3's messages start with their code already.
  if (code && !message.startsWith(code)) return `${code}: ${message}`;
  return message || code || String(e);
}

/** TLS failures of the driver's handshake: certificates retrying cannot make acceptable. */
const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** How a failed connection attempt reads for the operator, and whether trying again may help. */
interface ConnectionFailure {
  readonly retry: boolean;
  /** One line, no stack, no password: what is wrong and what to change. */
  readonly cause: string;
}

/**
 * Sorts a failed first connection: a server that is not there (yet) is worth another attempt;
 * one that answers "no" (authentication, no such database, TLS the server does not offer or a
 * certificate that does not verify, anything else it says) answers the same next time.
 */
export function connectionFailure(e: unknown): ConnectionFailure {
  const code = codeOf(e);
  const message = messageOf(e).split('\n')[0].slice(0, 200);
  if (code === '28P01' || code === '28000') {
    return {
      retry: false,
      cause: `the server refused the login (${message}): check the user and password in database.url, and pg_hba.conf`,
    };
  }
  if (code === '3D000') {
    return {
      retry: false,
      cause: `${message}: create it (createdb) or fix the database name in database.url`,
    };
  }
  if (code === '42501') {
    return { retry: false, cause: `${message}: grant the user CONNECT on the database` };
  }
  if (/does not support SSL/i.test(message)) {
    return {
      retry: false,
      cause:
        'the server does not support TLS (SSL) connections, but database.url asks for one (sslmode): enable ssl on the server, or remove sslmode from database.url where the network is trusted',
    };
  }
  if (TLS_CODES.has(code) || /certificate/i.test(message)) {
    return {
      retry: false,
      cause: `the server's TLS certificate was not accepted (${code ? `${code}: ` : ''}${message}): give the CA (sslrootcert) or fix the host name in database.url`,
    };
  }
  // A SQLite file busy with another process frees up; one that cannot be opened, read or
  // written does not.
  if (code.startsWith('SQLITE_') && !/^SQLITE_(BUSY|LOCKED)/.test(code)) {
    return {
      retry: false,
      cause: `${describeDatabaseError(e)}: check the path in database.url and that its folder is writable`,
    };
  }
  if (isDatabaseUnavailable(e) || /timeout|timed out/i.test(message)) {
    return { retry: true, cause: `unreachable (${describeDatabaseError(e)})` };
  }
  return { retry: false, cause: describeDatabaseError(e) };
}
