import { call, path } from '../api';
import { Loaded, PageTitle, useLoad } from '../components';
import { may, type Action, type Viewer } from '../permissions';
import type { Account as AccountDto } from '../types';
import { Audit } from './audit';
import { Credentials } from './credentials';
import { Diagnosis } from './diagnosis';
import { Keys } from './keys';
import { People } from './people';
import { Properties } from './properties';

/** The parts of an account's page, each shown only to whom may read it. */
const TABS: { id: string; label: string; needs: Action }[] = [
  { id: 'properties', label: 'Properties', needs: 'properties.read' },
  { id: 'keeper', label: 'Keeper and consent', needs: 'properties.read' },
  { id: 'keys', label: 'API keys and embed code', needs: 'keys.read' },
  { id: 'diagnosis', label: 'Diagnosis', needs: 'diagnostics' },
  { id: 'people', label: 'Visitors and customers', needs: 'visitors.read' },
  { id: 'audit', label: 'Audit log', needs: 'audit.account' },
  { id: 'credentials', label: 'Credentials', needs: 'credentials.read' },
];

export const accountTabs = (viewer: Viewer) => TABS.filter((t) => may(viewer, t.needs));

function Heading({ account, viewer }: { account: string; viewer: Viewer }) {
  const [dto] = useLoad(
    () =>
      may(viewer, 'account.read')
        ? call<AccountDto>('GET', path('accounts', account))
        : Promise.resolve(null),
    [account],
  );
  return (
    <Loaded outcome={dto}>
      {(a) => (
        <>
          <PageTitle>Account {a && a.name !== a.id ? `${a.name} (${a.id})` : account}</PageTitle>
          {a?.source === 'file' && (
            <p class="hint">Defined by {a.file}: edit the file for what the API may not set.</p>
          )}
        </>
      )}
    </Loaded>
  );
}

export function Account({
  account,
  tab,
  viewer,
}: {
  account: string;
  tab: string;
  viewer: Viewer;
}) {
  const tabs = accountTabs(viewer);
  const current = tabs.find((t) => t.id === tab) ?? tabs[0];
  const at = (id: string) => `#/accounts/${encodeURIComponent(account)}/${id}`;
  return (
    <>
      <Heading account={account} viewer={viewer} />
      <nav class="tabs" aria-label="Account">
        <ul>
          {tabs.map((t) => (
            <li key={t.id}>
              <a href={at(t.id)} aria-current={t === current ? 'page' : undefined}>
                {t.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {current?.id === 'properties' && (
        <Properties
          account={account}
          canWrite={may(viewer, 'properties.write')}
          title="Effective properties"
        />
      )}
      {current?.id === 'keeper' && (
        <Properties
          key="keeper"
          account={account}
          canWrite={may(viewer, 'properties.write')}
          prefixes={['keeper.', 'consent.']}
          title="Keeper and consent settings"
        />
      )}
      {current?.id === 'keys' && <Keys account={account} canWrite={may(viewer, 'keys.write')} />}
      {current?.id === 'diagnosis' && <Diagnosis account={account} />}
      {current?.id === 'people' && (
        <People
          account={account}
          may={(kind, erase) => may(viewer, `${kind}.${erase ? 'erase' : 'read'}`)}
        />
      )}
      {current?.id === 'audit' && <Audit account={account} />}
      {current?.id === 'credentials' && (
        <Credentials account={account} canWrite={may(viewer, 'credentials.write')} />
      )}
      {!current && <p>This credential may not read anything of the account here.</p>}
    </>
  );
}
