import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createWorkspace, startApp, TestWorkspace } from './helpers/test-app';

describe('GET /health', () => {
  let ws: TestWorkspace;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    ws = createWorkspace({
      // A nested data directory that does not exist yet: created on demand.
      app: (dataDir) =>
        `database.url = sqlite:${join(dataDir, 'nested', 'deeper', 'pantry.sqlite')}`,
      accounts: { shop: 'account.apiKeys = shop-key-0001' },
    });
    app = await startApp(ws);
  });

  afterAll(async () => {
    await app.close();
    ws.remove();
  });

  it('answers 200 once the configuration is loaded and the database answers', async () => {
    const res = await request(app.getHttpServer()).get('/health').expect(200);
    expect(res.body).toMatchObject({ status: 'ok', database: 'ok', accounts: 1 });
  });

  it('created the data directory and applied the migrations (no synchronize)', async () => {
    expect(existsSync(join(ws.dataDir, 'nested', 'deeper', 'pantry.sqlite'))).toBe(true);
    const ds = app.get(DataSource);
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
    const res = await request(app.getHttpServer()).get('/no/such/route').expect(404);
    expect(res.body).toEqual({
      statusCode: 404,
      error: 'not_found',
      message: 'Cannot GET /no/such/route',
    });
  });

  it('answers 503 when the database does not answer', async () => {
    const ds = app.get(DataSource);
    const query = jest.spyOn(ds, 'query').mockRejectedValueOnce(new Error('gone'));
    const res = await request(app.getHttpServer()).get('/health').expect(503);
    expect(res.body.error).toBe('database_unavailable');
    query.mockRestore();
  });
});
