import { DataSource } from 'typeorm';
import { KeeperService } from '../src/keeper/keeper.service';
import { signAssertion } from './helpers/assertions';
import { identifyWith } from './helpers/bridge-calls';
import { cookieHeader } from './helpers/cookies';
import { TEST_ADMIN_TOKEN, useApp } from './helpers/test-app';

/*
 * Erasure leaves nothing behind, in any table of the migrated database (its own catalog is
 * read: sqlite_master, information_schema), including tables added after this test was
 * written. Which columns name a visitor or an account:
 *
 * - a column named `accountId`, or ending in `AccountId`, names an account; so does `id` of
 *   `accounts` (the account's own row);
 * - a column named `visitorId` or `deviceId`, or ending in `VisitorId` or `DeviceId`, names a
 *   visitor within the account named by the column of the same prefix (`linkedVisitorId` →
 *   `linkedAccountId`, `visitorId` and `deviceId` → `accountId`): an id is a visitor's only
 *   within its account, and a visitor column without its account column is a problem.
 *
 * (`erased_ids.id` names no visitor by this rule, on purpose: the erasure writes it, so that
 * the erased cookies are refused; the account's deletion removes it through `accountId`.)
 *
 * Every table without such a column must be listed here, with why it holds nothing an erasure
 * must remove: a new table is either covered by the check or said not to need it.
 */
const NOT_ERASED: Readonly<Record<string, string>> = {
  migrations: 'TypeORM’s list of applied migrations',
  audit_log:
    'the audit trail outlives what it records: an erasure and an account deletion are entries of it themselves, written in the same unit of work (SPEC §6, §12); it holds no cookie value',
  health_probe: 'the one row /health writes to prove the database takes writes; of no account',
  shared_secrets: 'the generated signing and encryption secrets, the same for every account',
  tenant_revision: 'one counter every account change moves; of no account',
};

/**
 * Tables of an account's rows that name no visitor column by the rule: each says why its rows are
 * the account's as a whole, so that a visitor's table under another column name (`personId`)
 * cannot pass as one of them and escape the visitor erasure's check.
 */
const ACCOUNT_ONLY: Readonly<Record<string, string>> = {
  accounts: 'the account’s own row',
  api_keys: 'the account’s API keys',
  property_overrides: 'the account’s admin-API properties',
  account_credentials: 'the account’s credentials (SPEC §19)',
  console_sessions:
    'the operator console sessions of the account’s credentials (SPEC §17): of people, not visitors',
  erased_ids: 'the erased ids themselves (written by the erasure, so the cookies are refused)',
  one_time_tokens:
    'bridge tokens: the payload names the visitor, but a token lives minutes, is purged, and an erased id is refused when it is redeemed',
};

/** Where a table names an account (and, for a visitor's rows, the visitor in it). */
interface Owner {
  readonly table: string;
  readonly account: string;
  readonly visitor?: string;
}

const NAMES_ACCOUNT = /(^a|A)ccountId$/;
const NAMES_VISITOR = /(^v|V)isitorId$|(^d|D)eviceId$/;

/** Every table of the database with its columns, from the database's own catalog. */
async function catalog(ds: DataSource): Promise<Map<string, string[]>> {
  const tables = new Map<string, string[]>();
  if (ds.options.type === 'postgres') {
    const rows = await ds.query<Array<{ t: string; c: string }>>(
      `SELECT c.table_name AS t, c.column_name AS c FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
       WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
       ORDER BY c.table_name, c.ordinal_position`,
    );
    for (const { t, c } of rows) tables.set(t, [...(tables.get(t) ?? []), c]);
    return tables;
  }
  const names = await ds.query<Array<{ name: string }>>(
    `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`,
  );
  for (const { name } of names) {
    const columns = await ds.query<Array<{ name: string }>>(`PRAGMA table_info("${name}")`);
    tables.set(
      name,
      columns.map((c) => c.name),
    );
  }
  return tables;
}

/** The columns naming visitors and accounts, by the rule above, and what breaks the rule. */
async function classify(ds: DataSource): Promise<{ owners: Owner[]; problems: string[] }> {
  const owners: Owner[] = [];
  const problems: string[] = [];
  const tables = await catalog(ds);
  for (const listed of Object.keys(ACCOUNT_ONLY)) {
    if (!tables.has(listed)) problems.push(`${listed}: listed as account-only, but no such table`);
  }
  for (const listed of Object.keys(NOT_ERASED)) {
    if (!tables.has(listed)) problems.push(`${listed}: listed as not erased, but no such table`);
  }
  for (const [table, columns] of tables) {
    if (table in NOT_ERASED) continue;
    const accounts = columns.filter(
      (c) => NAMES_ACCOUNT.test(c) || (table === 'accounts' && c === 'id'),
    );
    const visitors = columns.filter((c) => NAMES_VISITOR.test(c));
    if (accounts.length === 0 && visitors.length === 0) {
      problems.push(`${table}: names no visitor or account; list it in NOT_ERASED with the reason`);
    }
    if (accounts.length > 0 && visitors.length === 0 && !(table in ACCOUNT_ONLY)) {
      problems.push(
        `${table}: holds an account's rows but names no visitor: if a row is one visitor's, name its column visitorId; else list it in ACCOUNT_ONLY with the reason`,
      );
    }
    for (const account of accounts) owners.push({ table, account });
    for (const visitor of visitors) {
      const prefix = visitor.replace(NAMES_VISITOR, '').toLowerCase();
      const account = columns.find((c) => c.toLowerCase() === `${prefix}accountid`);
      if (account) owners.push({ table, account, visitor });
      else problems.push(`${table}.${visitor}: names a visitor of no account column`);
    }
  }
  return { owners, problems };
}

/** Counts rows, per `table.column`, with `?` parameters on both databases. */
async function countEach(
  ds: DataSource,
  owners: readonly Owner[],
  where: (o: Owner) => { sql: string; params: string[] },
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const owner of owners) {
    const { sql, params } = where(owner);
    let n = 0;
    const text = ds.options.type === 'postgres' ? sql.replace(/\?/g, () => `$${++n}`) : sql;
    const [row] = await ds.query<Array<{ n: string | number }>>(
      `SELECT COUNT(*) AS n FROM "${owner.table}" WHERE ${text}`,
      params,
    );
    counts[`${owner.table}.${owner.visitor ?? owner.account}`] = Number(row.n);
  }
  return counts;
}

/** Per visitor column: the rows naming one of `ids` of the account. */
function visitorRows(ds: DataSource, owners: readonly Owner[], accountId: string, ids: string[]) {
  return countEach(
    ds,
    owners.filter((o) => o.visitor),
    (o) => ({
      sql: `"${o.account}" = ? AND "${o.visitor}" IN (${ids.map(() => '?').join(', ')})`,
      params: [accountId, ...ids],
    }),
  );
}

/** Per account column: the rows of the account that name no account `except`. */
function accountRows(ds: DataSource, owners: readonly Owner[], accountId: string, except?: string) {
  return countEach(
    ds,
    owners.filter((o) => !o.visitor),
    (o) => {
      const others = except
        ? owners.filter((p) => p.table === o.table && !p.visitor && p.account !== o.account)
        : [];
      return {
        sql: [`"${o.account}" = ?`, ...others.map((p) => `"${p.account}" <> ?`)].join(' AND '),
        params: [accountId, ...others.map(() => except!)],
      };
    },
  );
}

const nonZero = (counts: Record<string, number>) =>
  Object.keys(counts).filter((k) => counts[k] > 0);
const zero = (counts: Record<string, number>) => Object.keys(counts).filter((k) => counts[k] === 0);

const SHOP = 'https://www.shop.com';
const CHECKOUT = 'https://www.checkout-shop.net';
const SECRET = 'erasure-assertion-secret-0123456789-abcdef';
const KEYS = { alpha: 'alpha-key-0001', omega: 'omega-key-0001' } as const;
type AccountId = keyof typeof KEYS;

interface Visitor {
  readonly visitorId: string;
  readonly deviceId: string;
  /** Its cookies on the shop, the authsession included. */
  readonly jar: string;
}

describe('erasure in every table: a visitor’s erasure and an account’s deletion leave no row of them', () => {
  const pantry = useApp();
  let ds: DataSource;
  const api = () => pantry.http();
  const admin = (method: 'get' | 'post' | 'put' | 'delete', path: string) =>
    api()[method](`/admin/v1/accounts${path}`).set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`);
  const identify = (origin: string, account: AccountId, cookie = '', token?: string) =>
    identifyWith(api, origin, KEYS[account], cookie, token);
  const bridge = (account: AccountId, jar: string) =>
    api()
      .post(`/unblu/v1/bridge?x-unblu-apikey=${KEYS[account]}`)
      .set('Origin', SHOP)
      .set('Cookie', jar)
      .send({ to: `${CHECKOUT}/cart` })
      .expect(200)
      .then((res) => res.body.token as string);

  /**
   * A visitor of the account with a row in every table the product writes of a visitor: its
   * record (flushed later), a login (customer link, session, used assertion), a redemption of
   * its bridge token by another browser (adopting its id), a link with a third visitor who
   * kept its own id on the checkout, and a token still unused.
   */
  async function visitorEverywhere(account: AccountId): Promise<Visitor> {
    const visit = await identify(SHOP, account).expect(200);
    const { visitorId, deviceId } = visit.body as { visitorId: string; deviceId: string };
    const login = await api()
      .post(`/unblu/v1/login?x-unblu-apikey=${KEYS[account]}`)
      .set('Origin', SHOP)
      .set('Cookie', cookieHeader(visit))
      .send({ assertion: await signAssertion(SECRET, account, `customer-of-${visitorId}`) })
      .expect(200);
    expect(login.body).toMatchObject({ visitorId, customerId: `customer-of-${visitorId}` });
    const jar = cookieHeader(visit, login);
    const adopted = await identify(CHECKOUT, account, '', await bridge(account, jar)).expect(200);
    expect(adopted.body).toMatchObject({ visitorId, bridged: true });
    const other = await identify(CHECKOUT, account).expect(200);
    const kept = await identify(
      CHECKOUT,
      account,
      cookieHeader(other),
      await bridge(account, jar),
    ).expect(200);
    expect(kept.body).toMatchObject({ bridged: false, bridge: 'already_identified' });
    await bridge(account, jar);
    // The cookie keeper's values (learnt as a same-site identify would; these accounts' cross-site
    // mode keeps none by request: test/keeper.e2e-spec.ts proves learning end to end).
    pantry.app
      .get(KeeperService)
      .learn(account, visitorId, [{ adapter: 'ga', name: '_ga', value: 'GA1.1.1234.1700000000' }]);
    return { visitorId, deviceId, jar };
  }

  let erased: Visitor;
  let kept: Visitor;
  let customer: Visitor;
  let owners: Owner[];

  beforeAll(async () => {
    ds = pantry.app.get(DataSource);
    // API accounts (an account's deletion is an API account's), partners of each other.
    for (const [id, key] of Object.entries(KEYS)) {
      await admin('post', '').send({ id, apiKey: key }).expect(201);
      for (const [property, value] of [
        ['server.cors.allowedOrigins', `${SHOP}, ${CHECKOUT}`],
        ['server.cors.corsCookieMode', 'LOCAL_STORAGE'],
        ['consent.required', 'false'],
        ['bridge.targets', CHECKOUT],
        ['authentication.assertionSecret', SECRET],
      ]) {
        await admin('put', `/${id}/properties/${property}`).send({ value }).expect(200);
      }
    }
    for (const id of Object.keys(KEYS)) {
      const made = await admin('post', `/${id}/credentials`)
        .send({ name: 'team', role: 'owner' })
        .expect(201);
      // Its console session: a row of the account in console_sessions.
      await api().post('/admin/v1/session').send({ token: made.body.token }).expect(204);
    }
    await admin('put', '/alpha/properties/bridge.partners').send({ value: 'omega' }).expect(200);
    await admin('put', '/omega/properties/bridge.partners').send({ value: 'alpha' }).expect(200);

    erased = await visitorEverywhere('alpha');
    kept = await visitorEverywhere('alpha');
    customer = await visitorEverywhere('alpha');
    const partner = await visitorEverywhere('omega');
    // A link across the accounts: omega's token redeemed on alpha by a visitor of its own.
    const own = await identify(CHECKOUT, 'alpha').expect(200);
    const across = await identify(
      CHECKOUT,
      'alpha',
      cookieHeader(own),
      await bridge('omega', partner.jar),
    ).expect(200);
    expect(across.body).toMatchObject({ account: 'alpha', bridge: 'already_identified' });
    // Reading a record writes the queued sightings (and kept cookies) first.
    await admin('get', `/alpha/visitors/${erased.visitorId}`).expect(200);
    await pantry.app.get(KeeperService).flush();
    owners = (await classify(ds)).owners;
  });

  it('every table names a visitor or an account by the rule, or says why it holds neither', async () => {
    expect((await classify(ds)).problems).toEqual([]);
    // What the rule finds today (a table added later joins the list by itself).
    expect(owners.map((o) => `${o.table}.${o.visitor ?? o.account}`)).toEqual(
      expect.arrayContaining([
        'accounts.id',
        'api_keys.accountId',
        'property_overrides.accountId',
        'visitors.visitorId',
        'visitors.deviceId',
        'erased_ids.accountId',
        'one_time_tokens.accountId',
        'bridge_redemptions.visitorId',
        'bridge_links.visitorId',
        'bridge_links.linkedVisitorId',
        'bridge_links.linkedAccountId',
        'auth_sessions.visitorId',
        'customer_links.visitorId',
        'kept_cookies.visitorId',
        'console_sessions.accountId',
      ]),
    );
  });

  it('erasing a visitor deletes its rows in every table naming a visitor; the other visitor’s stay', async () => {
    const ids = (v: Visitor) => [v.visitorId, v.deviceId];
    const before = await visitorRows(ds, owners, 'alpha', ids(erased));
    const others = await visitorRows(ds, owners, 'alpha', ids(kept));
    // Both visitors have rows everywhere: otherwise the check below proves nothing there.
    expect(zero(before)).toEqual([]);
    expect(zero(others)).toEqual([]);
    // Its login still answers, until the erasure.
    const identified = () => identify(SHOP, 'alpha', erased.jar).expect(200);
    expect((await identified()).body.customerId).toBe(`customer-of-${erased.visitorId}`);

    await admin('delete', `/alpha/visitors/${erased.visitorId}`).expect(204);

    expect(nonZero(await visitorRows(ds, owners, 'alpha', ids(erased)))).toEqual([]);
    expect(await visitorRows(ds, owners, 'alpha', ids(kept))).toEqual(others);
    // Its cookies are refused: a new visitor, no customer (its session went with it).
    const after = (await identified()).body;
    expect(after.visitorId).not.toBe(erased.visitorId);
    expect(after.customerId).toBeUndefined();
    expect((await identify(SHOP, 'alpha', kept.jar).expect(200)).body.customerId).toBe(
      `customer-of-${kept.visitorId}`,
    );
  });

  it('erasing a customer erases its visitors the same way', async () => {
    const ids = [customer.visitorId, customer.deviceId];
    const others = await visitorRows(ds, owners, 'alpha', [kept.visitorId, kept.deviceId]);
    expect(zero(await visitorRows(ds, owners, 'alpha', ids))).toEqual([]);

    await admin('delete', `/alpha/customers/customer-of-${customer.visitorId}`).expect(204);

    expect(nonZero(await visitorRows(ds, owners, 'alpha', ids))).toEqual([]);
    expect(await visitorRows(ds, owners, 'alpha', [kept.visitorId, kept.deviceId])).toEqual(others);
  });

  it('deleting an account deletes its rows in every table naming an account; the other account’s stay', async () => {
    // An erasure of omega's too (its erased ids are its rows).
    const gone = await identify(SHOP, 'omega').expect(200);
    await admin('delete', `/omega/visitors/${gone.body.visitorId as string}`).expect(204);
    const before = await accountRows(ds, owners, 'omega');
    const others = await accountRows(ds, owners, 'alpha', 'omega');
    expect(zero(before)).toEqual([]);
    expect(zero(others)).toEqual([]);

    await admin('delete', '/omega').expect(204);

    expect(nonZero(await accountRows(ds, owners, 'omega'))).toEqual([]);
    expect(await accountRows(ds, owners, 'alpha', 'omega')).toEqual(others);
  });

  it('the check itself fails on a table it was not told of and on rows an erasure left', async () => {
    // What a feature's migration would add without registering its table with the erasure.
    await ds.query(
      'CREATE TABLE "erasure_probe" ("accountId" varchar(63), "visitorId" varchar(64))',
    );
    await ds.query('CREATE TABLE "erasure_unnamed" ("owner" varchar(64))');
    // A visitor's rows under another column name: not to pass as an account's.
    await ds.query(
      'CREATE TABLE "erasure_person" ("accountId" varchar(63), "personId" varchar(64))',
    );
    try {
      await ds.query(
        ds.options.type === 'postgres'
          ? 'INSERT INTO "erasure_probe" VALUES ($1, $2)'
          : 'INSERT INTO "erasure_probe" VALUES (?, ?)',
        ['alpha', kept.visitorId],
      );
      const classified = await classify(ds);
      expect([...classified.problems].sort()).toEqual([
        expect.stringMatching(/^erasure_person: holds an account's rows but names no visitor/),
        expect.stringMatching(/^erasure_unnamed: names no visitor or account/),
      ]);
      await admin('delete', `/alpha/visitors/${kept.visitorId}`).expect(204);
      const left = await visitorRows(ds, classified.owners, 'alpha', [kept.visitorId]);
      expect(nonZero(left)).toEqual(['erasure_probe.visitorId']);
    } finally {
      await ds.query('DROP TABLE "erasure_probe"');
      await ds.query('DROP TABLE "erasure_unnamed"');
      await ds.query('DROP TABLE "erasure_person"');
    }
  });
});
