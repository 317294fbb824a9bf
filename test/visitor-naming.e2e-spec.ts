import { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { cookieHeader, setCookie, setCookies } from './helpers/cookies';
import { AppHandle, createWorkspace, startApp, TestWorkspace, useApps } from './helpers/test-app';

const open = 'consent.required = false';

describe('cookie naming', () => {
  const apps = useApps();
  let pantry: AppHandle;

  const names = async (key: string) => {
    const res = await pantry.http().post(`/unblu/v1/identify?x-unblu-apikey=${key}`).expect(200);
    return setCookies(res).map((c) => c.name);
  };

  it('multi-account: account-scoped names carry the API key (SPEC example)', async () => {
    pantry = await apps.start({
      accounts: { acme: `account.apiKeys = MZsy5sFESYqU7MawXZgR_w\n${open}` },
    });
    expect(await names('MZsy5sFESYqU7MawXZgR_w')).toEqual([
      'x-unblu-MZsy5sFESYqU7MawXZgR_w-device',
      'x-unblu-MZsy5sFESYqU7MawXZgR_w-anonymous-person',
      'x-unblu-MZsy5sFESYqU7MawXZgR_w-session',
    ]);
  });

  it('single-account: plain names', async () => {
    pantry = await apps.start({
      app: 'server.multiAccount = false',
      accounts: { acme: `account.apiKeys = acme-key-0001\n${open}` },
    });
    expect(await names('acme-key-0001')).toEqual([
      'x-unblu-device',
      'x-unblu-anonymous-person',
      'x-unblu-session',
    ]);
  });

  it('prefix, per-cookie overrides (Unblu alias) and the scoped list', async () => {
    pantry = await apps.start({
      app: 'identifier.accountScopedCookies = session',
      accounts: {
        acme: [
          'account.apiKeys = acme-key-0001',
          open,
          'identifier.cookieNamePrefix = acme_',
          'com.unblu.identifier.anonymousPersonCookieName = visitor',
          'identifier.deviceCookieName = dev',
        ].join('\n'),
      },
    });
    expect(await names('acme-key-0001')).toEqual([
      'acme_dev',
      'acme_visitor',
      'acme_acme-key-0001-session',
    ]);
  });

  it('two accounts on one domain keep apart in multi-account mode', async () => {
    pantry = await apps.start({
      accounts: {
        one: `account.apiKeys = one-key-0001\n${open}`,
        two: `account.apiKeys = two-key-0001\n${open}`,
      },
    });
    const server = pantry.app.getHttpServer();
    const one = await request(server).post('/unblu/v1/identify?x-unblu-apikey=one-key-0001');
    const two = await request(server)
      .post('/unblu/v1/identify?x-unblu-apikey=two-key-0001')
      .set('Cookie', cookieHeader(one));
    expect(two.body.visitorId).not.toBe(one.body.visitorId);
    const oneAgain = await request(server)
      .post('/unblu/v1/identify?x-unblu-apikey=one-key-0001')
      .set('Cookie', cookieHeader(one, two));
    expect(oneAgain.body.visitorId).toBe(one.body.visitorId);
  });

  it('serves the visitor API under server.publicPathPrefix', async () => {
    pantry = await apps.start({
      app: 'server.publicPathPrefix = /cookies/api',
      accounts: { acme: `account.apiKeys = acme-key-0001\n${open}` },
    });
    await pantry.http().post('/cookies/api/v1/identify?x-unblu-apikey=acme-key-0001').expect(200);
    await pantry.http().post('/unblu/v1/identify?x-unblu-apikey=acme-key-0001').expect(404);
  });
});

describe('signing-secret rotation', () => {
  const OLD = 'old-secret-0123456789-0123456789-abcdef';
  const NEW = 'new-secret-0123456789-0123456789-abcdef';
  let ws: TestWorkspace;
  afterAll(() => ws.remove());

  it('keeps values signed with an older listed secret, re-signs them; drops unlisted ones', async () => {
    ws = createWorkspace({
      app: `identifier.signingSecrets = ${OLD}`,
      accounts: { acme: `account.apiKeys = acme-key-0001\n${open}` },
    });
    const identify = (app: NestFastifyApplication, cookie = '') =>
      request(app.getHttpServer())
        .post('/unblu/v1/identify?x-unblu-apikey=acme-key-0001')
        .set('Cookie', cookie)
        .expect(200);

    let app = await startApp(ws);
    const first = await identify(app);
    await app.close();

    const dbUrl = (text: string) => `${text}\ndatabase.url = sqlite:${ws.dataDir}/pantry.sqlite`;
    ws.write('application.properties', dbUrl(`identifier.signingSecrets = ${NEW}, ${OLD}`));
    app = await startApp(ws);
    const rotated = await identify(app, cookieHeader(first));
    expect(rotated.body).toMatchObject({
      visitorId: first.body.visitorId,
      deviceId: first.body.deviceId,
      sessionId: first.body.sessionId,
      issued: [],
    });
    const session = 'x-unblu-acme-key-0001-session';
    expect(setCookie(rotated, session)!.value).not.toBe(setCookie(first, session)!.value);
    expect(setCookie(rotated, session)!.value.split('.')[0]).toBe(first.body.sessionId);
    await app.close();

    ws.write('application.properties', dbUrl(`identifier.signingSecrets = ${NEW}`));
    app = await startApp(ws);
    const resigned = await identify(app, cookieHeader(first, rotated));
    expect(resigned.body.visitorId).toBe(first.body.visitorId);
    const dropped = await identify(app, cookieHeader(first));
    expect(dropped.body.visitorId).not.toBe(first.body.visitorId);
    await app.close();
  });
});
