/**
 * What the console shows to whom (SPEC §19). The server decides (the admin guard refuses any
 * call outside a role whatever the page sends); this table only hides what would be refused.
 * src/admin/console-permissions.spec.ts checks it against the policy beside each admin route,
 * so the page and the server cannot drift apart.
 */

export const CONSOLE_ROLES = ['owner', 'editor', 'privacy', 'reader', 'backend'] as const;
export type ConsoleRole = (typeof CONSOLE_ROLES)[number];

/** Who is signed in: the admin token, or an account credential of one account. */
export type Viewer =
  | { readonly kind: 'admin' }
  | {
      readonly kind: 'credential';
      readonly role: ConsoleRole;
      readonly account: string;
      /** The credential's name, as its owner gave it. */
      readonly name?: string;
    };

/** `server`: the admin token only; otherwise the roles of the account's credentials. */
export const ACTIONS = {
  'accounts.list': 'server',
  'accounts.create': 'server',
  'audit.server': 'server',
  'config.reload': 'server',
  'account.read': ['owner', 'editor', 'reader'],
  'properties.read': ['owner', 'editor', 'reader'],
  'properties.write': ['owner', 'editor'],
  'keys.read': ['owner', 'editor', 'reader'],
  'keys.write': ['owner', 'editor'],
  diagnostics: ['owner', 'editor', 'reader'],
  'visitors.read': ['owner', 'privacy', 'reader', 'backend'],
  'visitors.erase': ['owner', 'privacy'],
  'customers.read': ['owner', 'privacy', 'reader', 'backend'],
  'customers.erase': ['owner', 'privacy'],
  'audit.account': ['owner', 'privacy', 'reader'],
  'credentials.read': ['owner', 'reader'],
  'credentials.write': ['owner'],
} as const satisfies Record<string, 'server' | readonly ConsoleRole[]>;

export type Action = keyof typeof ACTIONS;

/** Whether `viewer` may do `action` (on its own account: a credential sees no other). */
export function may(viewer: Viewer, action: Action): boolean {
  if (viewer.kind === 'admin') return true;
  const rule: 'server' | readonly ConsoleRole[] = ACTIONS[action];
  return rule !== 'server' && rule.includes(viewer.role);
}
