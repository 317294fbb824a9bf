import { connectionFailure } from './database-errors';

const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe(connectionFailure.name, () => {
  it.each<[string, unknown, boolean, RegExp]>([
    [
      'a wrong password',
      pgError('28P01', 'password authentication failed for user "pantry"'),
      false,
      /^the server refused the login \(password authentication failed for user "pantry"\): check the user and password in database.url/,
    ],
    [
      'no pg_hba.conf entry',
      pgError('28000', 'no pg_hba.conf entry for host "10.0.0.1"'),
      false,
      /refused the login/,
    ],
    [
      'no such database',
      pgError('3D000', 'database "pantri" does not exist'),
      false,
      /^database "pantri" does not exist: create it \(createdb\) or fix the database name/,
    ],
    [
      'no CONNECT privilege',
      pgError('42501', 'permission denied'),
      false,
      /grant the user CONNECT/,
    ],
    [
      'sslmode against a server without TLS',
      new Error('The server does not support SSL connections'),
      false,
      /^the server does not support TLS \(SSL\) connections, but database.url asks for one/,
    ],
    [
      'a self-signed certificate',
      pgError('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'),
      false,
      /TLS certificate was not accepted/,
    ],
    [
      'connection refused',
      pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'),
      true,
      /^unreachable \(ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:5432\)$/,
    ],
    [
      'a host not resolved (yet)',
      pgError('ENOTFOUND', 'getaddrinfo ENOTFOUND db'),
      true,
      /unreachable/,
    ],
    [
      'a server starting up',
      pgError('57P03', 'the database system is starting up'),
      true,
      /unreachable/,
    ],
    [
      'a connect timeout',
      new Error('Connection terminated due to connection timeout'),
      true,
      /unreachable/,
    ],
    [
      'a SQLite file that cannot be opened',
      pgError('SQLITE_CANTOPEN', 'SQLITE_CANTOPEN: unable to open database file'),
      false,
      /^SQLITE_CANTOPEN: .*: check the path in database.url and that its folder is writable$/,
    ],
    [
      'a SQLite file busy with another process',
      pgError('SQLITE_BUSY', 'database is locked'),
      true,
      /unreachable/,
    ],
    [
      'anything else: as the driver says it',
      pgError('42P01', 'relation "x" does not exist'),
      false,
      /^42P01: relation "x" does not exist$/,
    ],
  ])('%s', (_what, error, retry, cause) => {
    const failure = connectionFailure(error);
    expect(failure.retry).toBe(retry);
    expect(failure.cause).toMatch(cause);
  });
});
