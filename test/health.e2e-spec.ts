import { chmodSync, existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { TEST_ADMIN_TOKEN, useApp } from './helpers/test-app';

describe('GET /health', () => {
  const pantry = useApp({
    // A nested data directory that does not exist yet: created on demand.
    app: (dataDir) => `database.url = sqlite:${join(dataDir, 'nested', 'deeper', 'pantry.sqlite')}`,
    accounts: { shop: 'account.apiKeys = shop-key-0001' },
  });

  it('answers 200 once the configuration is loaded and the database answers', async () => {
    const res = await pantry.http().get('/health').expect(200);
    expect(res.body).toMatchObject({ status: 'ok', database: 'ok', accounts: 1 });
  });

  it('created the data directory and applied the migrations (no synchronize)', async () => {
    expect(existsSync(join(pantry.ws.dataDir, 'nested', 'deeper', 'pantry.sqlite'))).toBe(true);
    const ds = pantry.app.get(DataSource);
    expect(ds.options.synchronize).toBe(false);
    const tables = await ds.query<{ name: string }[]>(
      `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`,
    );
    expect(tables.map((t) => t.name)).toEqual(
      expect.arrayContaining(['accounts', 'api_keys', 'migrations', 'property_overrides']),
    );
    expect(await ds.showMigrations()).toBe(false);
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await pantry.http().get('/no/such/route').expect(404);
    expect(res.body).toEqual({
      statusCode: 404,
      error: 'not_found',
      message: 'Cannot GET /no/such/route',
    });
  });
});

describe('GET /health with a database that cannot be written', () => {
  let file: string;
  const api = () => pantry.http();
  const createAccount = (id: string) =>
    api()
      .post('/admin/v1/accounts')
      .set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`)
      .send({ id });

  // About a SQLite file: SQLite in every project.
  const pantry = useApp({
    app: (dataDir) => `database.url = sqlite:${join(dataDir, 'pantry.sqlite')}`,
    accounts: { shop: 'account.apiKeys = shop-key-0001\nconsent.required = false' },
  });
  beforeAll(() => {
    file = join(pantry.ws.dataDir, 'pantry.sqlite');
  });

  it('a read-only file: 503 for /health and for admin writes, back to normal when writable again', async () => {
    await api().get('/health').expect(200);
    chmodSync(file, 0o444);
    try {
      const health = await api().get('/health').expect(503);
      expect(health.body).toMatchObject({ error: 'database_unavailable' });
      expect(health.body.message).toMatch(/read-only/);
      const write = await createAccount('while-read-only').expect(503);
      expect(write.body.error).toBe('database_unavailable');
      // Visitors are still answered from memory.
      await api().post('/unblu/v1/identify?x-unblu-apikey=shop-key-0001').expect(200);
    } finally {
      chmodSync(file, 0o644);
    }
    await api().get('/health').expect(200);
    await createAccount('writable-again').expect(201);
    await createAccount('while-read-only').expect(201); // the refused write changed nothing
  });

  it('a deleted file: 503, never a write acknowledged into the orphaned file', async () => {
    const aside = `${file}.aside`;
    renameSync(file, aside);
    try {
      const health = await api().get('/health').expect(503);
      expect(health.body.message).toMatch(/deleted/);
      await createAccount('into-the-void').expect(503);
    } finally {
      renameSync(aside, file);
    }
    await api().get('/health').expect(200);
    await createAccount('into-the-void').expect(201);
  });
});
