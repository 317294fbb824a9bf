import { useState } from 'preact/hooks';
import { call, path } from '../api';
import {
  Field,
  Loaded,
  Result,
  Section,
  Table,
  useAction,
  useLoad,
  Form,
  Head,
  RevokeCell,
  Select,
  asText,
} from '../components';
import { DEPLOYMENT_MODES, embedCode, MODE_LABELS, type DeploymentMode } from '../embed-code';
import type { ApiKey } from '../types';
import { useProperties } from './properties';

/** API keys (create, revoke) and the embed code for each deployment mode, with a copy button. */
export function Keys({ account, canWrite }: { account: string; canWrite: boolean }) {
  const [keys, reload] = useLoad(
    () => call<ApiKey[]>('GET', `${path('accounts', account)}/apikeys`),
    [account],
  );
  const [newKey, setNewKey] = useState('');
  const [created, create] = useAction(
    () =>
      call<ApiKey>('POST', `${path('accounts', account)}/apikeys`, newKey ? { key: newKey } : {}),
    () => {
      setNewKey('');
      reload();
    },
  );
  const [revoked, revoke] = useAction(
    (key: string) =>
      call<void>('DELETE', path('accounts', account, 'apikeys', key)).then(() => key),
    reload,
  );
  return (
    <>
      <Section title="API keys">
        <Loaded outcome={keys}>
          {(list) => (
            <>
              <Table caption={`${list.length} API keys`}>
                <Head columns={['Key', 'From', 'Created', canWrite && 'Revoke']} />
                <tbody>
                  {list.map((k) => (
                    <tr key={k.key}>
                      <td>
                        <code>{k.key}</code>
                      </td>
                      <td>{k.source === 'file' ? 'account file' : 'the API'}</td>
                      <td>{asText(k.createdAt)}</td>
                      {canWrite && (
                        <RevokeCell
                          what={k.source === 'api' ? k.key : null}
                          onRevoke={() => revoke(k.key)}
                        />
                      )}
                    </tr>
                  ))}
                </tbody>
              </Table>
              {canWrite && (
                <Result outcome={revoked} done={(k) => `Revoked ${k}: it stopped working.`} />
              )}
              <Embed account={account} keys={list.map((k) => k.key)} />
            </>
          )}
        </Loaded>
        {canWrite && (
          <Form onSubmit={() => create()}>
            <Field
              label="New key (optional)"
              value={newKey}
              onInput={setNewKey}
              hint="Leave empty for a generated one; 8–64 of A–Z, a–z, 0–9, _ and -."
            />
            <button type="submit">Create API key</button>
            <Result outcome={created} done={(k) => `Created ${k.key}; it works at once.`} />
          </Form>
        )}
      </Section>
    </>
  );
}

function Embed({ account, keys }: { account: string; keys: string[] }) {
  const [props] = useProperties(account);
  const [mode, setMode] = useState<DeploymentMode>('subdomain');
  const [server, setServer] = useState('');
  const [chosen, setChosen] = useState('');
  const [copied, setCopied] = useState('');
  const apiKey = keys.includes(chosen) ? chosen : (keys[keys.length - 1] ?? '');
  return (
    <Section title="Embed code">
      <Loaded outcome={props}>
        {(list) => {
          const value = (k: string) => list.find((p) => p.key === k)?.value ?? '';
          const code = embedCode({
            mode,
            apiKey,
            server,
            prefix: value('server.publicPathPrefix') || '/unblu',
            keeper: value('keeper.cookies').trim() !== '',
          });
          const copy = () =>
            navigator.clipboard.writeText(code).then(
              () => setCopied('Copied the embed code.'),
              () => setCopied('The browser refused the clipboard: select the code and copy it.'),
            );
          return (
            <>
              <Select
                label="Deployment mode"
                value={mode}
                options={DEPLOYMENT_MODES.map((m) => [m, MODE_LABELS[m]] as const)}
                onChange={setMode}
              />
              <Select label="API key" value={apiKey} options={keys} onChange={setChosen} />
              {(mode === 'subdomain' || mode === 'cross-site') && (
                <Field
                  label="Where pages reach Pantry"
                  value={server}
                  onInput={setServer}
                  hint="e.g. https://cookies.shop.com (subdomain) or https://pantry.saas.io (cross-site)"
                />
              )}
              <pre class="code" tabIndex={0}>
                <code>{code}</code>
              </pre>
              <button type="button" onClick={() => void copy()}>
                Copy embed code
              </button>
              <p class="status" role="status">
                {copied}
              </p>
            </>
          );
        }}
      </Loaded>
    </Section>
  );
}
