/**
 * The operator console (SPEC §17): a single page under /admin/, routed by the address's hash,
 * talking only to the admin API. Everything the server sends is rendered as text (Preact
 * escapes it; nothing here sets HTML).
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { currentSession, signOut, whenSignedOut, type Session } from './api';
import { Problem } from './components';
import { may, type Viewer } from './permissions';
import { Account } from './pages/account';
import { Accounts } from './pages/accounts';
import { Audit } from './pages/audit';
import { SignIn } from './pages/sign-in';
import { Reload, Status } from './pages/system';
import { ApiError } from './api';
import { PageTitle } from './components';

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash;
}

function Page({ hash, viewer }: { hash: string; viewer: Viewer }) {
  const parts = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  const home = viewer.kind === 'admin' ? '' : 'accounts';
  const [first, id, tab] = parts[0]
    ? parts
    : [home, viewer.kind === 'credential' ? viewer.account : ''];
  if (first === 'accounts' && id) {
    const account = viewer.kind === 'credential' ? viewer.account : id;
    return <Account key={account} account={account} tab={tab ?? ''} viewer={viewer} />;
  }
  if (viewer.kind === 'admin') {
    if (first === 'audit')
      return (
        <>
          <PageTitle>Audit log</PageTitle>
          <Audit title="Entries" />
        </>
      );
    if (first === 'reload') return <Reload />;
    if (first === 'status') return <Status />;
    return <Accounts />;
  }
  return <Account account={viewer.account} tab="" viewer={viewer} />;
}

function Shell({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const hash = useHash();
  const { viewer } = session;
  const section =
    hash.replace(/^#\/?/, '').split('/')[0] || (viewer.kind === 'admin' ? 'accounts' : '');
  const link = (to: string, label: string) => (
    <li>
      <a href={`#/${to}`} aria-current={section === to ? 'page' : undefined}>
        {label}
      </a>
    </li>
  );
  return (
    <>
      <a
        class="skip"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        Skip to content
      </a>
      <header class="top">
        <p class="brand">Pantry console</p>
        <nav aria-label="Console">
          <ul>
            {may(viewer, 'accounts.list') && link('accounts', 'Accounts')}
            {viewer.kind === 'credential' &&
              link(`accounts/${encodeURIComponent(viewer.account)}`, viewer.account)}
            {may(viewer, 'audit.server') && link('audit', 'Audit log')}
            {may(viewer, 'config.reload') && link('reload', 'Reload')}
            {viewer.kind === 'admin' && link('status', 'Status')}
          </ul>
        </nav>
        <p class="who">
          {viewer.kind === 'admin'
            ? 'Signed in with the admin token'
            : `Signed in as ${viewer.name ? `${viewer.name}, ` : ''}${viewer.role} of ${viewer.account}`}
        </p>
        <button type="button" class="sign-out" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <Page hash={hash} viewer={viewer} />
      </main>
    </>
  );
}

function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [notice, setNotice] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => {
    whenSignedOut((message) => {
      setNotice(`Signed out: ${message}`);
      setSession(null);
    });
    currentSession().then(setSession, (e: unknown) => {
      setError(e instanceof ApiError ? e : new ApiError(0, 'client_error', String(e)));
    });
  }, []);
  if (error)
    return (
      <main id="main">
        <PageTitle>Pantry console</PageTitle>
        <Problem error={error} />
      </main>
    );
  if (session === undefined) return <p aria-busy="true">Loading…</p>;
  if (session === null)
    return (
      <SignIn
        notice={notice}
        onSignedIn={(s) => {
          setNotice('');
          setSession(s);
        }}
      />
    );
  return (
    <Shell
      session={session}
      onSignOut={() => {
        signOut().then(
          () => {
            setNotice('Signed out.');
            setSession(null);
          },
          (e: unknown) =>
            setError(e instanceof ApiError ? e : new ApiError(0, 'client_error', String(e))),
        );
      }}
    />
  );
}

render(<App />, document.getElementById('console')!);
