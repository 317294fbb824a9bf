import { createHash, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { CredentialsService, MAX_CREDENTIALS } from '../src/access/credentials.service';
import { ROLES, Role } from '../src/access/roles';
import { signAssertion } from './helpers/assertions';
import { CaptureLogger } from './helpers/capture-logger';
import { cookieHeader } from './helpers/cookies';
import { TEST_ADMIN_TOKEN, useApp } from './helpers/test-app';

/*
 * Per-account access (SPEC §19), the whole matrix: every admin route the app's OpenAPI document
 * lists × every role × its own account, another account, a route without an account; and the
 * admin token. The table below is written from SPEC §19's role table, not read from the code:
 * a route the document lists and the table does not (a new route), or a table entry without a
 * route, fails the first test, so no route escapes the matrix.
 */

const SECRET = 'own-assertion-secret-0123456789-abcdef';
const ACCOUNTS = {
  own: [
    'account.apiKeys = own-key-0001',
    'consent.required = false',
    `authentication.assertionSecret = ${SECRET}`,
  ].join('\n'),
  other: ['account.apiKeys = other-key-0001', 'consent.required = false'].join('\n'),
};

/** A route's row: who may call it, and what to send so that an allowed call changes nothing. */
interface Row {
  /** `server`: the admin token only (SPEC §19's server-wide routes). */
  readonly roles: readonly Role[] | 'server';
  /** Values of the path's parameters other than `:id` (beside those of UNKNOWN). */
  readonly params?: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

/** Ids of nothing, for the routes of one visitor, customer or credential. */
const UNKNOWN: Readonly<Record<string, string>> = {
  visitorId: 'unknown-visitor',
  customerId: 'unknown-customer',
  credentialId: 'cred_unknown',
};

/*
 * SPEC §19: owner everything of its account; editor reads the account, its properties, keys and
 * diagnostics, sets and removes overrides, creates and revokes API keys; privacy reads and erases
 * visitors and customers and reads the account's audit entries; reader every GET of the account;
 * backend the customer and visitor lookups only. Bodies and ids are chosen so that an allowed
 * handler answers a 4xx of its own (invalid body, unknown id) and nothing is destroyed: `own` and
 * `other` are file accounts, which the API does not rename or delete (409).
 */
const TABLE: Readonly<Record<string, Row>> = {
  'GET /admin/v1/accounts': { roles: 'server' },
  'POST /admin/v1/accounts': { roles: 'server', body: {} },
  'POST /admin/v1/config/reload': { roles: 'server', body: {} },
  'GET /admin/v1/audit': { roles: 'server' },
  'GET /admin/v1/status': { roles: 'server' },
  'GET /admin/v1/accounts/{id}': { roles: ['owner', 'editor', 'reader'] },
  'PATCH /admin/v1/accounts/{id}': { roles: ['owner'], body: { name: 'Renamed' } },
  'DELETE /admin/v1/accounts/{id}': { roles: ['owner'] },
  'GET /admin/v1/accounts/{id}/apikeys': { roles: ['owner', 'editor', 'reader'] },
  'POST /admin/v1/accounts/{id}/apikeys': { roles: ['owner', 'editor'], body: { key: '!' } },
  'DELETE /admin/v1/accounts/{id}/apikeys/{key}': {
    roles: ['owner', 'editor'],
    params: { key: 'unknown-key-0001' },
  },
  'GET /admin/v1/accounts/{id}/properties': { roles: ['owner', 'editor', 'reader'] },
  'PUT /admin/v1/accounts/{id}/properties/{key}': {
    roles: ['owner', 'editor'],
    params: { key: 'no.such.key' },
    body: { value: 'x' },
  },
  'DELETE /admin/v1/accounts/{id}/properties/{key}': {
    roles: ['owner', 'editor'],
    params: { key: 'consent.required' },
  },
  'GET /admin/v1/accounts/{id}/diagnostics': { roles: ['owner', 'editor', 'reader'] },
  'GET /admin/v1/accounts/{id}/visitors/{visitorId}': {
    roles: ['owner', 'privacy', 'reader', 'backend'],
  },
  'DELETE /admin/v1/accounts/{id}/visitors/{visitorId}': { roles: ['owner', 'privacy'] },
  'GET /admin/v1/accounts/{id}/customers/{customerId}': {
    roles: ['owner', 'privacy', 'reader', 'backend'],
  },
  'DELETE /admin/v1/accounts/{id}/customers/{customerId}': { roles: ['owner', 'privacy'] },
  'GET /admin/v1/accounts/{id}/audit': { roles: ['owner', 'privacy', 'reader'] },
  'GET /admin/v1/accounts/{id}/credentials': { roles: ['owner', 'reader'] },
  'POST /admin/v1/accounts/{id}/credentials': {
    roles: ['owner'],
    body: { name: 'matrix', role: 'nope' },
  },
  'DELETE /admin/v1/accounts/{id}/credentials/{credentialId}': { roles: ['owner'] },
};

/** The answer of a credential to an account that does not exist (and to another one's). */
const missingAccount = (id: string) => ({
  statusCode: 404,
  error: 'account_not_found',
  message: `No account "${id}".`,
});

const bearer = (token: string) => `Bearer ${token}`;

interface Credential {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly token: string;
}

/** Everything under the admin API a suite calls: the admin token's and credentials' requests. */
function adminClient(http: () => ReturnType<typeof request>) {
  const call = (method: string, path: string, token: string, body?: unknown) => {
    const verb = method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
    if (!['get', 'post', 'put', 'patch', 'delete'].includes(verb)) {
      throw new Error(`no method ${method}`);
    }
    const test = http()[verb](path);
    test.set('Authorization', bearer(token));
    return body === undefined ? test : test.send(body as object);
  };
  const create = async (account: string, role: Role, name = `${role} of ${account}`) => {
    const res = await call('POST', `/admin/v1/accounts/${account}/credentials`, TEST_ADMIN_TOKEN, {
      name,
      role,
    }).expect(201);
    tokens.push((res.body as Credential).token);
    return res.body as Credential;
  };
  /** Every token this client made, to look for in logs. */
  const tokens: string[] = [];
  return { call, create, tokens };
}

describe('per-account access: the route × role × account matrix', () => {
  const pantry = useApp({ accounts: ACCOUNTS });
  const { call, create } = adminClient(() => pantry.http());
  const own = {} as Record<Role, Credential>;

  beforeAll(async () => {
    for (const role of ROLES) own[role] = await create('own', role);
  });

  /** METHOD + OpenAPI path of every route the app documents, with its x-pantry-roles. */
  async function documented(): Promise<Map<string, unknown>> {
    const doc = (await pantry.http().get('/admin/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, { 'x-pantry-roles'?: unknown }>>;
    };
    const routes = new Map<string, unknown>();
    for (const [path, operations] of Object.entries(doc.paths)) {
      // The console's own session (sign-in, who, sign-out) belongs to no account and to every
      // principal: test/console-session.e2e-spec.ts covers it.
      if (path === '/admin/v1/session') continue;
      for (const [method, operation] of Object.entries(operations)) {
        routes.set(`${method.toUpperCase()} ${path}`, operation['x-pantry-roles']);
      }
    }
    return routes;
  }

  it('the table names every documented route and nothing else; OpenAPI names the same roles', async () => {
    const routes = await documented();
    expect([...routes.keys()].sort()).toEqual(Object.keys(TABLE).sort());
    for (const [route, roles] of routes) {
      const row = TABLE[route];
      expect({ route, roles }).toEqual({
        route,
        roles: row.roles === 'server' ? [] : [...row.roles],
      });
    }
  });

  /** The request a cell sends: the row's path with `:id` = `account` and its other params. */
  function send(route: string, token: string, account?: string) {
    const [method, template] = route.split(' ');
    const row = TABLE[route];
    const path = template.replace(/\{(\w+)\}/g, (_m, name: string) => {
      const value = name === 'id' ? account : (row.params?.[name] ?? UNKNOWN[name]);
      if (value === undefined) throw new Error(`${route}: no value for {${name}}`);
      return value;
    });
    return call(method, path, token, row.body);
  }

  const accountRoutes = Object.keys(TABLE).filter((r) => TABLE[r].roles !== 'server');
  const serverRoutes = Object.keys(TABLE).filter((r) => TABLE[r].roles === 'server');

  /** An allowed call: past the guard, the handler's own answer (never a 5xx). */
  const expectAllowed = (cell: string, res: request.Response) => {
    const guarded =
      res.status === 401 ||
      res.status === 403 ||
      res.status >= 500 ||
      (res.status === 404 && res.body?.error === 'account_not_found');
    expect({ cell, status: res.status, guarded }).toEqual({
      cell,
      status: res.status,
      guarded: false,
    });
  };

  it.each(ROLES.map((r) => [r]))(
    '%s: its own account as the table says, another account hidden as a missing one',
    async (role) => {
      const token = own[role].token;
      for (const route of accountRoutes) {
        const allowed = (TABLE[route].roles as readonly Role[]).includes(role);
        const mine = await send(route, token, 'own');
        if (allowed) expectAllowed(`${role} ${route} own`, mine);
        else {
          expect({ cell: `${role} ${route} own`, status: mine.status, body: mine.body }).toEqual({
            cell: `${role} ${route} own`,
            status: 403,
            body: {
              statusCode: 403,
              error: 'role_not_allowed',
              message: expect.stringContaining(`The ${role} role may not call`),
            },
          });
        }
        // Another account, and one that does not exist: the same answer, whatever the role.
        for (const account of ['other', 'no-such-account']) {
          const theirs = await send(route, token, account);
          expect({
            cell: `${role} ${route} ${account}`,
            status: theirs.status,
            body: theirs.body,
          }).toEqual({
            cell: `${role} ${route} ${account}`,
            status: 404,
            body: missingAccount(account),
          });
        }
      }
      for (const route of serverRoutes) {
        const res = await send(route, token);
        expect({ cell: `${role} ${route}`, status: res.status, error: res.body.error }).toEqual({
          cell: `${role} ${route}`,
          status: 403,
          error: 'server_route',
        });
      }
    },
  );

  it('the admin token may every route, on every account', async () => {
    for (const route of accountRoutes) {
      for (const account of ['own', 'other']) {
        expectAllowed(`admin ${route} ${account}`, await send(route, TEST_ADMIN_TOKEN, account));
      }
    }
    for (const route of serverRoutes) {
      expectAllowed(`admin ${route}`, await send(route, TEST_ADMIN_TOKEN));
    }
    // What the admin token gets for an account that does not exist is the body a credential
    // gets for another account: nothing tells the two apart.
    const missing = await call('GET', '/admin/v1/accounts/no-such-account', TEST_ADMIN_TOKEN);
    expect({ status: missing.status, body: missing.body }).toEqual({
      status: 404,
      body: missingAccount('no-such-account'),
    });
  });

  it('the matrix changed nothing: no credential, key, override or rename was made', async () => {
    const creds = await call('GET', '/admin/v1/accounts/own/credentials', TEST_ADMIN_TOKEN);
    expect((creds.body as Credential[]).map((c) => c.role).sort()).toEqual([...ROLES].sort());
    const other = await call('GET', '/admin/v1/accounts/other/credentials', TEST_ADMIN_TOKEN);
    expect(other.body).toEqual([]);
    for (const account of ['own', 'other']) {
      const keys = await call('GET', `/admin/v1/accounts/${account}/apikeys`, TEST_ADMIN_TOKEN);
      expect((keys.body as Array<{ key: string }>).map((k) => k.key)).toEqual([
        `${account}-key-0001`,
      ]);
      const read = await call('GET', `/admin/v1/accounts/${account}`, TEST_ADMIN_TOKEN);
      expect(read.body.name).not.toBe('Renamed');
    }
  });
});

describe('per-account access: the roles at work', () => {
  const logger = new CaptureLogger();
  const pantry = useApp(
    { accounts: { ...ACCOUNTS, retired: 'account.apiKeys = retired-key-0001' } },
    { logger },
  );
  const { call, create, tokens } = adminClient(() => pantry.http());
  const api = () => pantry.http();

  /** A customer who logged in through the snippet's API (SPEC §11), with the visitor linked. */
  async function loggedIn(customerId: string): Promise<string> {
    const first = await api().post('/unblu/v1/identify?x-unblu-apikey=own-key-0001').expect(200);
    const visitorId = first.body.visitorId as string;
    const assertion = await signAssertion(SECRET, 'own', customerId);
    const res = await api()
      .post('/unblu/v1/login?x-unblu-apikey=own-key-0001')
      .set('Cookie', cookieHeader(first))
      .send({ assertion })
      .expect(200);
    expect(res.body).toMatchObject({ customerId, visitorId });
    return visitorId;
  }

  it('backend reads a logged-in customer’s linked visitors, and nothing else', async () => {
    const backend = await create('own', 'backend', 'checkout backend');
    const visitorId = await loggedIn('customer-dana');
    const customer = await call(
      'GET',
      '/admin/v1/accounts/own/customers/customer-dana',
      backend.token,
    ).expect(200);
    expect(customer.body).toMatchObject({
      customerId: 'customer-dana',
      visitors: [expect.objectContaining({ visitorId })],
    });
    const visitor = await call(
      'GET',
      `/admin/v1/accounts/own/visitors/${visitorId}`,
      backend.token,
    ).expect(200);
    expect(visitor.body.customerId).toBe('customer-dana');
    // Not the erasure, not the account, not the audit log (the matrix covers every route).
    for (const [method, path] of [
      ['DELETE', '/admin/v1/accounts/own/customers/customer-dana'],
      ['DELETE', `/admin/v1/accounts/own/visitors/${visitorId}`],
      ['GET', '/admin/v1/accounts/own'],
      ['GET', '/admin/v1/accounts/own/audit'],
    ]) {
      const res = await call(method, path, backend.token);
      expect({ path, status: res.status, error: res.body.error }).toEqual({
        path,
        status: 403,
        error: 'role_not_allowed',
      });
    }
    await call('GET', '/admin/v1/accounts/own/customers/customer-dana', backend.token).expect(200);
  });

  it('privacy erases a customer; the audit entry names the credential by id and name', async () => {
    const privacy = await create('own', 'privacy', 'privacy officer');
    const visitorId = await loggedIn('customer-erin');
    await call('DELETE', '/admin/v1/accounts/own/customers/customer-erin', privacy.token).expect(
      204,
    );
    await call('GET', '/admin/v1/accounts/own/customers/customer-erin', privacy.token).expect(404);
    await call('GET', `/admin/v1/accounts/own/visitors/${visitorId}`, privacy.token).expect(404);
    const audit = await call(
      'GET',
      '/admin/v1/audit?accountId=own&limit=20',
      TEST_ADMIN_TOKEN,
    ).expect(200);
    const entry = (audit.body as Array<{ action: string; actor: string }>).find(
      (e) => e.action === 'customer.erase',
    );
    expect(entry?.actor).toBe(`credential:${privacy.id} (privacy officer)`);
    // The account's own audit log, which privacy may read, shows it too.
    const mine = await call('GET', '/admin/v1/accounts/own/audit', privacy.token).expect(200);
    expect(mine.body[0]).toMatchObject({
      action: 'customer.erase',
      actor: `credential:${privacy.id} (privacy officer)`,
    });
  });

  it('owner creates credentials of every role, an owner one included; revokes one at once', async () => {
    const owner = await create('own', 'owner', 'site lead');
    const made = await call('POST', '/admin/v1/accounts/own/credentials', owner.token, {
      name: 'second owner',
      role: 'owner',
    }).expect(201);
    expect(made.body).toEqual({
      id: expect.stringMatching(/^cred_/),
      name: 'second owner',
      role: 'owner',
      token: expect.stringMatching(/^pty_[A-Za-z0-9_-]{43}$/),
      createdAt: expect.any(String),
    });
    await call('GET', '/admin/v1/accounts/own', made.body.token).expect(200);
    await call('DELETE', `/admin/v1/accounts/own/credentials/${made.body.id}`, owner.token).expect(
      204,
    );
    await call('GET', '/admin/v1/accounts/own', made.body.token).expect(401);
    const listed = await call('GET', '/admin/v1/accounts/own/credentials', owner.token).expect(200);
    expect(JSON.stringify(listed.body)).not.toContain('pty_');
    const audit = await call('GET', '/admin/v1/accounts/own/audit?limit=2', owner.token);
    expect(audit.body.map((e: { action: string; actor: string }) => [e.action, e.actor])).toEqual([
      ['credential.revoke', `credential:${owner.id} (site lead)`],
      ['credential.create', `credential:${owner.id} (site lead)`],
    ]);
  });

  it('no role but owner creates a credential (an owner one above all); none is made', async () => {
    for (const role of ROLES.filter((r) => r !== 'owner')) {
      const holder = await create('own', role);
      for (const wanted of ROLES) {
        const res = await call('POST', '/admin/v1/accounts/own/credentials', holder.token, {
          name: `escalation by ${role}`,
          role: wanted,
        });
        expect({ role, wanted, status: res.status, error: res.body.error }).toEqual({
          role,
          wanted,
          status: 403,
          error: 'role_not_allowed',
        });
      }
    }
    const all = await call('GET', '/admin/v1/accounts/own/credentials', TEST_ADMIN_TOKEN);
    expect(all.body.filter((c: Credential) => c.name.startsWith('escalation'))).toEqual([]);
  });

  it('no credential reaches a server-wide route or the global audit log, owner included', async () => {
    for (const role of ROLES) {
      const holder = await create('own', role);
      for (const [method, path] of [
        ['GET', '/admin/v1/audit'],
        ['GET', '/admin/v1/audit?accountId=own'],
        ['GET', '/admin/v1/accounts'],
        ['POST', '/admin/v1/accounts'],
        ['POST', '/admin/v1/config/reload'],
      ]) {
        const res = await call(method, path, holder.token, method === 'POST' ? {} : undefined);
        expect({ role, path, status: res.status, error: res.body.error }).toEqual({
          role,
          path,
          status: 403,
          error: 'server_route',
        });
      }
    }
  });

  it('an owner deletes its own API account; its credentials go with it', async () => {
    await call('POST', '/admin/v1/accounts', TEST_ADMIN_TOKEN, { id: 'short-lived' }).expect(201);
    const owner = await create('short-lived', 'owner');
    await call('DELETE', '/admin/v1/accounts/short-lived', owner.token).expect(204);
    const after = await call('GET', '/admin/v1/accounts/short-lived', owner.token);
    expect({ status: after.status, error: after.body.error }).toEqual({
      status: 401,
      error: 'unauthorized',
    });
  });

  it('a removed file account’s credentials do not open a new account of the same id', async () => {
    const old = await create('retired', 'owner', 'former team');
    await call('GET', '/admin/v1/accounts/retired', old.token).expect(200);
    rmSync(join(pantry.ws.configDir, 'accounts', 'retired.properties'));
    await call('POST', '/admin/v1/config/reload', TEST_ADMIN_TOKEN, {}).expect(200);
    await call('GET', '/admin/v1/accounts/retired', old.token).expect(404);
    // Another client gets the id: the former team's owner credential is not theirs.
    await call('POST', '/admin/v1/accounts', TEST_ADMIN_TOKEN, { id: 'retired' }).expect(201);
    await call('GET', '/admin/v1/accounts/retired', old.token).expect(401);
    const listed = await call('GET', '/admin/v1/accounts/retired/credentials', TEST_ADMIN_TOKEN);
    expect(listed.body).toEqual([]);
  });

  it('the stored form is a SHA-256 of the token: no column holds the token', async () => {
    const made = await create('own', 'reader', 'stored form');
    const random = made.token.slice('pty_'.length);
    const forms = [
      made.token,
      random,
      Buffer.from(random, 'base64url').toString('hex'),
      Buffer.from(random, 'base64url').toString('base64'),
      Buffer.from(made.token, 'utf8').toString('hex'),
    ];
    const rows = await pantry.app
      .get(DataSource)
      .query<Array<Record<string, unknown>>>('SELECT * FROM account_credentials');
    const row = rows.find((r) => r.id === made.id);
    expect(row).toBeDefined();
    for (const [column, value] of Object.entries(row!)) {
      const text = String(value);
      for (const form of forms) {
        expect({ column, holds: text.includes(form) }).toEqual({ column, holds: false });
      }
    }
    expect(row!.tokenHash).toBe(createHash('sha256').update(made.token).digest('hex'));
    expect(Object.keys(row!).sort()).toEqual(
      ['accountId', 'createdAt', 'id', 'name', 'role', 'tokenHash'].sort(),
    );
  });

  /*
   * A wrong token that shares all but its last characters with a real one takes as long as a
   * random one. Why it holds: the token is never compared as a string. authenticate() hashes
   * the presented token (SHA-256 over the whole of it) and looks the digest up in the
   * database's index; a token one character off has a digest unrelated to the real one's, so
   * the index walk and the miss are those of any random token. Only a found row is compared
   * again, digest to digest, with timingSafeEqual. Measured in process (no HTTP noise),
   * interleaved round by round so that load on the machine hits all alike; medians, with a
   * generous bound (the shared CI machine), since the difference to reveal would be one. What
   * it can see, it shows on itself: a token refused by its shape, before the lookup, is
   * measured faster; so a lookup (or any work of that size) that depended on the matching
   * part would show. A difference of nanoseconds (a string compare) it cannot see: that part
   * rests on the design, no compare of the token at all.
   */
  it('the timing of a wrong token does not depend on how much of it matches', async () => {
    const credentials = pantry.app.get(CredentialsService);
    const real = (await create('own', 'reader', 'timing')).token;
    const last = real.slice(-1) === 'A' ? 'B' : 'A';
    const near = `${real.slice(0, -1)}${last}`;
    const random = () => `pty_${randomBytes(32).toString('base64url')}`;
    const time = async (token: string) => {
      const start = process.hrtime.bigint();
      const principal = await credentials.authenticate(token);
      const took = Number(process.hrtime.bigint() - start);
      expect(principal).toBeNull();
      return took;
    };
    // The calibration: one character short, it is refused by its shape before any lookup. The
    // harness must see that saved lookup, or it could not see a leak of that size either.
    const short = real.slice(0, -1);
    const kinds = { near: () => near, random, short: () => short };
    const times: Record<keyof typeof kinds, number[]> = { near: [], random: [], short: [] };
    const order = Object.keys(kinds) as Array<keyof typeof kinds>;
    for (let round = 0; round < 450; round++) {
      // Each round in another order, so that a slow moment of the machine hits all alike.
      const rotated = [...order.slice(round % 3), ...order.slice(0, round % 3)];
      for (const kind of round % 2 ? rotated.reverse() : rotated) {
        const took = await time(kinds[kind]());
        if (round >= 50) times[kind].push(took); // the first rounds warm up
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const nearToRandom = median(times.near) / median(times.random);
    const shortToRandom = median(times.short) / median(times.random);
    expect({ nearToRandom, alike: nearToRandom > 0.67 && nearToRandom < 1.5 }).toEqual({
      nearToRandom,
      alike: true,
    });
    expect({ shortToRandom, seen: shortToRandom < 0.5 }).toEqual({ shortToRandom, seen: true });
    expect(await credentials.authenticate(real)).toMatchObject({ kind: 'credential' });
  });

  it('no token is ever logged', () => {
    expect(tokens.length).toBeGreaterThan(10);
    expect(logger.lines.length).toBeGreaterThan(0);
    for (const token of tokens) expect(logger.text).not.toContain(token.slice(4));
  });
});

describe('per-account access: hostile tokens', () => {
  const pantry = useApp({ accounts: ACCOUNTS });
  const { call, create } = adminClient(() => pantry.http());
  const read = (authorization: string) =>
    pantry.http().get('/admin/v1/accounts/own').set('Authorization', authorization);
  const expect401 = async (what: string, authorization: string) => {
    const res = await read(authorization);
    // One answer for all: nothing presented is echoed, nothing tells the failures apart.
    expect({ what, status: res.status, body: res.body }).toEqual({
      what,
      status: 401,
      body: {
        statusCode: 401,
        error: 'unauthorized',
        message:
          'Send the admin token or an account credential as "Authorization: Bearer <token>".',
      },
    });
  };

  it('another account’s token is answered as if the account did not exist', async () => {
    const theirs = await create('other', 'owner');
    const res = await read(bearer(theirs.token)).expect(404);
    expect(res.body).toEqual(missingAccount('own'));
  });

  it('an owner cannot revoke another account’s credential through its own account', async () => {
    const owner = await create('own', 'owner');
    const theirs = await create('other', 'reader');
    const res = await call(
      'DELETE',
      `/admin/v1/accounts/own/credentials/${theirs.id}`,
      owner.token,
    ).expect(404);
    expect(res.body.error).toBe('credential_not_found');
    await call('GET', '/admin/v1/accounts/other', theirs.token).expect(200);
  });

  it('revoked, truncated, prefix-only, 10 KB, junk: 401', async () => {
    const mine = await create('own', 'reader');
    await read(bearer(mine.token)).expect(200);
    await call('DELETE', `/admin/v1/accounts/own/credentials/${mine.id}`, TEST_ADMIN_TOKEN).expect(
      204,
    );
    await expect401('revoked', bearer(mine.token));
    const live = (await create('own', 'reader')).token;
    await expect401('truncated by one', bearer(live.slice(0, -1)));
    await expect401('truncated to half', bearer(live.slice(0, 24)));
    await expect401('one character more', bearer(`${live}A`));
    await expect401('prefix only', bearer('pty_'));
    await expect401('10 KB', bearer(`pty_${'A'.repeat(10 * 1024)}`));
    await expect401('10 KB after a real token', bearer(`${live}${'A'.repeat(10 * 1024)}`));
    await expect401('Bearer and junk', 'Bearer %00\'";--<junk>');
    await expect401('Bearer and Latin-1 junk', 'Bearer pty_\u00ff\u00fe');
    await expect401('Bearer alone', 'Bearer ');
    await expect401('Bearer and spaces', 'Bearer  pty_ x');
    await expect401('another scheme', `Basic ${live}`);
    await expect401('the admin token as a pty_ token', bearer(`pty_${TEST_ADMIN_TOKEN}`));
    await read(bearer(live)).expect(200);
  });
});

describe('per-account access: the rate limit counts credential failures', () => {
  const pantry = useApp({ accounts: ACCOUNTS });
  const { create } = adminClient(() => pantry.http());
  const read = (token: string) =>
    pantry.http().get('/admin/v1/accounts/own').set('Authorization', bearer(token));

  it('30 wrong tokens of either kind a minute, then 429; a right credential still passes', async () => {
    const right = await create('own', 'reader');
    const statuses: number[] = [];
    for (let i = 0; i < 32; i++) {
      // Alternately a wrong admin token and a wrong credential: one count for both.
      const wrong = i % 2 ? `pty_${randomBytes(32).toString('base64url')}` : `wrong-admin-${i}`;
      statuses.push((await read(wrong)).status);
    }
    expect(statuses.slice(0, 30)).toEqual(Array(30).fill(401));
    expect(statuses.slice(30)).toEqual([401, 429]);
    const blocked = await read(`pty_${randomBytes(32).toString('base64url')}`).expect(429);
    expect(blocked.headers['retry-after']).toMatch(/^\d+$/);
    await read(right.token).expect(200);
    await read(TEST_ADMIN_TOKEN).expect(200);
  });
});

describe('per-account access: the credential limit holds under parallel creations', () => {
  const pantry = useApp({ accounts: ACCOUNTS });
  const create = (name: string) =>
    pantry
      .http()
      .post('/admin/v1/accounts/own/credentials')
      .set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`)
      .send({ name, role: 'reader' });

  it(`${MAX_CREDENTIALS} at most, however many are asked for at once`, async () => {
    // Up to three short of the limit, ten at a time.
    for (let done = 0; done < MAX_CREDENTIALS - 3; done += 10) {
      const batch = Math.min(10, MAX_CREDENTIALS - 3 - done);
      const answers = await Promise.all(
        Array.from({ length: batch }, (_, i) => create(`fill ${done + i}`)),
      );
      expect(answers.map((a) => a.status)).toEqual(Array(batch).fill(201));
    }
    // Twelve at once for the last three places: each counts what the others committed.
    const racing = await Promise.all(Array.from({ length: 12 }, (_, i) => create(`race ${i}`)));
    const statuses = racing.map((a) => a.status).sort();
    expect(statuses).toEqual([...Array(3).fill(201), ...Array(9).fill(400)]);
    expect(racing.find((a) => a.status === 400)?.body.message).toMatch(
      new RegExp(`holds ${MAX_CREDENTIALS} credentials already; revoke one first`),
    );
    const list = await pantry
      .http()
      .get('/admin/v1/accounts/own/credentials')
      .set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`)
      .expect(200);
    expect(list.body).toHaveLength(MAX_CREDENTIALS);
  });
});
