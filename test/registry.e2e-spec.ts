import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { VisitorRepository } from '../src/registry/visitor.repository';
import { createWorkspace, startApp, TestWorkspace } from './helpers/test-app';

describe(VisitorRepository.name, () => {
  let ws: TestWorkspace;
  let app: NestFastifyApplication;
  beforeAll(async () => {
    ws = createWorkspace();
    app = await startApp(ws);
  });
  afterAll(async () => {
    await app.close();
    ws.remove();
  });

  it('upserts in batches: keeps the earliest firstSeen, the latest lastSeen and a known device', async () => {
    const repo = app.get(VisitorRepository);
    const row = (over: object) => ({
      accountId: 'a',
      visitorId: 'v1',
      deviceId: 'd1' as string | null,
      consent: 'unset',
      firstSeen: 2000,
      lastSeen: 2000,
      ...over,
    });
    const many = Array.from({ length: 900 }, (_, i) => row({ visitorId: `bulk${i}` }));
    await repo.upsertMany([row({}), ...many]);
    await repo.upsertMany([
      row({ firstSeen: 1000, lastSeen: 1500, deviceId: null, consent: 'granted' }),
    ]);
    expect(await repo.find('a', 'v1')).toMatchObject({
      deviceId: 'd1',
      consent: 'granted',
      firstSeen: 1000,
      lastSeen: 2000,
    });
    expect(await repo.find('a', 'bulk899')).toMatchObject({ visitorId: 'bulk899' });
    expect(await repo.find('b', 'v1')).toBeNull();
  });
});
