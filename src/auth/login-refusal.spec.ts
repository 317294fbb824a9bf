import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { ErrorCode, ERROR_STATUS, PantryError } from '../common/errors';
import type { ChangeFeed } from '../database/change-feed';
import { dataSourceOptions, initializeDataSource } from '../database/database.options';
import { OneTimeTokenEntity } from '../database/one-time-token.entity';
import { UnitOfWork } from '../database/unit-of-work';
import type { VisitorRegistryService } from '../registry/visitor-registry.service';
import type { SecretsService } from '../secrets/secrets.service';
import { AuthSessionEntity, CustomerLinkEntity } from './auth.entities';
import { AuthService } from './auth.service';
import { LoginRefusal, LoginRefusedError } from './login-refusal';

/**
 * AuthService.login on a real SQLite database (the migrations' schema): what the visitor API
 * reads from a refused login is the error's type and `reason`, not its message.
 */
describe('a login refused after its assertion verified', () => {
  let dir: string;
  let dataSource: DataSource;
  let auth: AuthService;
  const options = { maxLinks: 5, lifetimeSeconds: 3600, newId: () => `v-${Math.random()}` };
  const exp = Math.floor(Date.now() / 1000) + 120;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pantry-login-'));
    dataSource = await initializeDataSource({
      ...dataSourceOptions({ type: 'sqlite', database: join(dir, 'pantry.sqlite') }),
      entities: [OneTimeTokenEntity, AuthSessionEntity, CustomerLinkEntity],
    });
    const uow = new UnitOfWork(dataSource);
    await uow.onModuleInit();
    // login uses the unit of work and the encryption key only.
    const secrets = { encryptionKey: randomBytes(32) } as unknown as SecretsService;
    auth = new AuthService(uow, {} as ChangeFeed, {} as VisitorRegistryService, secrets);
  });

  afterAll(async () => {
    await dataSource.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a reused jti: LoginRefusedError, reason assertion_reused, code invalid_assertion (401)', async () => {
    const assertion = { customerId: 'customer-1', jti: 'jti-once', exp };
    const first = await auth.login('shop', assertion, 'visitor-1', options);
    expect(first.visitorId).toBe('visitor-1');

    const refused = await auth.login('shop', assertion, 'visitor-2', options).then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(LoginRefusedError);
    expect(refused).toBeInstanceOf(PantryError);
    expect(refused).toMatchObject({
      reason: LoginRefusal.AssertionReused,
      code: ErrorCode.InvalidAssertion,
    });
    expect(ERROR_STATUS[(refused as PantryError).code]).toBe(401);
    // Rolled back: the refused login linked nothing and stored no session.
    expect(
      await dataSource.getRepository(CustomerLinkEntity).countBy({ visitorId: 'visitor-2' }),
    ).toBe(0);
    expect(await dataSource.getRepository(AuthSessionEntity).countBy({ accountId: 'shop' })).toBe(
      1,
    );
  });

  it('the same jti for another account is another assertion', async () => {
    const assertion = { customerId: 'customer-1', jti: 'jti-shared', exp };
    await auth.login('shop', assertion, 'visitor-3', options);
    await expect(auth.login('other', assertion, 'visitor-4', options)).resolves.toMatchObject({
      visitorId: 'visitor-4',
    });
  });
});
