import 'reflect-metadata';
import { ROLES, type RoutePolicy } from '../access/roles';
import { ACTIONS, CONSOLE_ROLES, may, type Action } from '../console/ui/permissions';
import { ROUTE_POLICY } from './admin-access';
import { AdminAccountsController } from './admin-accounts.controller';
import { AdminCredentialsController } from './admin-credentials.controller';
import { AdminCustomersController } from './admin-customers.controller';
import { AdminDiagnosticsController } from './admin-diagnostics.controller';
import { AdminPropertiesController } from './admin-properties.controller';
import { AdminSystemController } from './admin-system.controller';
import { AdminVisitorsController } from './admin-visitors.controller';

// The console hides what a role may not do (src/console/ui/permissions.ts); the server refuses it
// (the policy beside each route). Each console action names the route it calls: a policy changed
// on either side, and not on the other, fails here.
type Handler = { prototype: object };
const ROUTE_OF: Record<Action, [Handler, string]> = {
  'accounts.list': [AdminAccountsController, 'list'],
  'accounts.create': [AdminAccountsController, 'create'],
  'audit.server': [AdminSystemController, 'list'],
  'config.reload': [AdminSystemController, 'reload'],
  'account.read': [AdminAccountsController, 'get'],
  'properties.read': [AdminPropertiesController, 'list'],
  'properties.write': [AdminPropertiesController, 'set'],
  'keys.read': [AdminAccountsController, 'listKeys'],
  'keys.write': [AdminAccountsController, 'createKey'],
  diagnostics: [AdminDiagnosticsController, 'get'],
  'visitors.read': [AdminVisitorsController, 'get'],
  'visitors.erase': [AdminVisitorsController, 'erase'],
  'customers.read': [AdminCustomersController, 'get'],
  'customers.erase': [AdminCustomersController, 'erase'],
  'audit.account': [AdminSystemController, 'listOfAccount'],
  'credentials.read': [AdminCredentialsController, 'list'],
  'credentials.write': [AdminCredentialsController, 'create'],
};

const policyOf = ([controller, method]: [Handler, string]): RoutePolicy =>
  Reflect.getMetadata(
    ROUTE_POLICY,
    (controller.prototype as Record<string, object>)[method],
  ) as RoutePolicy;

describe('the console’s permissions', () => {
  it('knows the server’s roles', () => {
    expect([...CONSOLE_ROLES]).toEqual([...ROLES]);
  });

  it.each(Object.keys(ACTIONS) as Action[])('%s: as the route’s policy says', (action) => {
    const policy = policyOf(ROUTE_OF[action]);
    expect(policy).toBeDefined();
    expect(ACTIONS[action]).toEqual(policy.kind === 'server' ? 'server' : policy.roles);
  });

  it.each<[string, Action, boolean]>([
    ['editor', 'visitors.erase', false],
    ['editor', 'properties.write', true],
    ['privacy', 'properties.read', false],
    ['privacy', 'visitors.erase', true],
    ['reader', 'keys.write', false],
    ['backend', 'visitors.read', true],
    ['owner', 'accounts.list', false],
  ])('a credential of role %s may %s: %s', (role, action, allowed) => {
    expect(may({ kind: 'credential', role: role as never, account: 'shop' }, action)).toBe(allowed);
    expect(may({ kind: 'admin' }, action)).toBe(true);
  });
});
