import { unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { TenantService } from '../src/tenants/tenant.service';
import { ConfigurationService } from '../src/properties/configuration.service';
import { UnitOfWork } from '../src/database/unit-of-work';
import { parseDatabaseUrl } from '../src/properties/property-values';
import { PropertyOverrideRepository } from '../src/tenants/property-override.repository';
import { eventually, useApp } from './helpers/test-app';

describe('configuration hot reload', () => {
  const sameSite = () =>
    pantry.app.get(TenantService).propertiesOf('shop').values['identifier.cookieSameSite'];
  const accountIds = () =>
    pantry.app
      .get(TenantService)
      .list()
      .map((a) => a.id);

  const pantry = useApp(
    {
      app: 'identifier.cookieSameSite = Lax',
      accounts: { shop: 'account.apiKeys = shop-key-0001\nidentifier.cookieSameSite = Strict' },
      // The files are rewritten whole here: the IMMUTABLE keys stay Pantry's defaults.
      defaultDrain: true,
    },
    { per: 'test' },
  );

  it('applies a valid edit of an account file without restart', async () => {
    expect(sameSite()).toBe('Strict');
    pantry.ws.write(
      'accounts/shop.properties',
      'account.apiKeys = shop-key-0001\nidentifier.cookieSameSite = None',
    );
    await eventually(() => expect(sameSite()).toBe('None'));
  });

  it('keeps the last good configuration when an edit is broken, then applies the fix', async () => {
    const reloads: string[] = [];
    const service = pantry.app.get(ConfigurationService);
    const original = service.reload.bind(service);
    jest.spyOn(service, 'reload').mockImplementation(() => {
      const result = original();
      reloads.push(result.ok ? 'ok' : result.problems.join('\n'));
      return result;
    });

    pantry.ws.write(
      'accounts/shop.properties',
      'account.apiKeys = shop-key-0001\nidentifier.cookieSameSite = Laxx\nconsent.required = maybe',
    );
    await eventually(() => expect(reloads.length).toBeGreaterThan(0));
    expect(reloads.at(-1)).toBe(
      [
        `${join(pantry.ws.configDir, 'accounts', 'shop.properties')}:2: identifier.cookieSameSite: must be one of Lax, Strict, None, AUTO (got "Laxx")`,
        `${join(pantry.ws.configDir, 'accounts', 'shop.properties')}:3: consent.required: must be true or false (got "maybe")`,
      ].join('\n'),
    );
    expect(sameSite()).toBe('Strict');
    expect((await pantry.http().get('/health')).status).toBe(200);

    pantry.ws.write('accounts/shop.properties', 'account.apiKeys = shop-key-0001');
    await eventually(() => expect(sameSite()).toBe('Lax'));
  });

  it('adds and removes accounts as their files come and go', async () => {
    pantry.ws.write('accounts/news.properties', 'account.apiKeys = news-key-0001');
    await eventually(() => expect(accountIds()).toEqual(['news', 'shop']));
    const health = await pantry.http().get('/health').expect(200);
    expect(health.body.accounts).toBe(2);
    unlinkSync(join(pantry.ws.configDir, 'accounts', 'news.properties'));
    await eventually(() => expect(accountIds()).toEqual(['shop']));
  });

  it('applies GLOBAL and ACCOUNT defaults from application.properties, not IMMUTABLE ones', async () => {
    const service = pantry.app.get(ConfigurationService);
    pantry.ws.write(
      'application.properties',
      [
        `database.url = sqlite:${join(pantry.ws.dataDir, 'elsewhere.sqlite')}`,
        'identifier.accountScopedCookies = session',
      ].join('\n'),
    );
    await eventually(() =>
      expect(service.configuration.app.values['identifier.accountScopedCookies']).toEqual([
        'session',
      ]),
    );
    const result = service.reload();
    expect(result.ok && result.summary.restartRequired).toEqual(['database.url']);
    const running = parseDatabaseUrl(pantry.ws.databaseUrl);
    expect(service.startup['database.url']).toEqual(running);
    expect(service.configuration.app.values['database.url']).toEqual(running);
  });

  it('layers an API override above the account file', async () => {
    const overrides = pantry.app.get(PropertyOverrideRepository);
    const properties = pantry.app.get(TenantService);
    const uow = pantry.app.get(UnitOfWork);
    await uow.transaction((em) =>
      overrides.upsert(em, 'shop', 'identifier.cookieSameSite', 'None'),
    );
    await properties.refresh();
    expect(properties.propertiesOf('shop').values['identifier.cookieSameSite']).toBe('None');
    expect(properties.propertiesOf('shop').origins['identifier.cookieSameSite'].source).toBe('api');
    // The file changes below the override: the override still wins.
    pantry.ws.write('accounts/shop.properties', 'account.apiKeys = shop-key-0001');
    await eventually(() =>
      expect(
        pantry.app.get(ConfigurationService).configuration.accounts.get('shop')!.properties.values[
          'identifier.cookieSameSite'
        ],
      ).toBe('Lax'),
    );
    expect(properties.propertiesOf('shop').values['identifier.cookieSameSite']).toBe('None');
    await uow.transaction((em) => overrides.remove(em, 'shop', 'identifier.cookieSameSite'));
    await properties.refresh();
    expect(properties.propertiesOf('shop').values['identifier.cookieSameSite']).toBe('Lax');
  });
});
