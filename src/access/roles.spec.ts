import { authorize, Principal, Role, RoutePolicy, ROLES, Verdict } from './roles';

const credential = (role: Role, accountId = 'alpha'): Principal => ({
  kind: 'credential',
  id: 'cred_1',
  name: 'team',
  accountId,
  role,
});
const ADMIN: Principal = { kind: 'admin' };
const account = (...roles: Role[]): RoutePolicy => ({ kind: 'account', roles });

/*
 * The one authorization decision (SPEC §19): route policy × principal (each role, the admin
 * token) × the account in the path (its own, another, none).
 */
describe(authorize.name, () => {
  const policies: Array<[string, RoutePolicy | undefined]> = [
    ['server-wide', { kind: 'server' }],
    ['no policy (fail closed)', undefined],
    ['owner only', account('owner')],
    ['owner, editor', account('owner', 'editor')],
    ['owner, privacy, reader, backend', account('owner', 'privacy', 'reader', 'backend')],
  ];
  const rows: Array<[string, string, Principal, string | undefined, Verdict['kind']]> = [];
  for (const [name, policy] of policies) {
    for (const where of ['alpha', 'omega', undefined] as const) {
      rows.push([name, 'admin', ADMIN, where, 'allow']);
      for (const role of ROLES) {
        let want: Verdict['kind'];
        if (!policy || policy.kind === 'server' || where === undefined) want = 'server-route';
        else if (where !== 'alpha') want = 'hidden';
        else want = policy.roles.includes(role) ? 'allow' : 'role';
        rows.push([name, role, credential(role), where, want]);
      }
    }
  }

  it.each(rows)('%s route, %s, account %s → %s', (_name, _who, principal, where, want) => {
    const policy = policies.find(([n]) => n === _name)![1];
    expect(authorize(principal, policy, where).kind).toBe(want);
  });

  it('hides another account whatever the role: the verdict names the account asked for', () => {
    expect(authorize(credential('owner'), account('owner'), 'omega')).toEqual({
      kind: 'hidden',
      accountId: 'omega',
    });
  });

  it('names the role that was refused', () => {
    expect(authorize(credential('backend'), account('owner'), 'alpha')).toEqual({
      kind: 'role',
      role: 'backend',
    });
  });
});
