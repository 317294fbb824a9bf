import { useState } from 'preact/hooks';
import { call, path } from '../api';
import {
  asText,
  Field,
  Form,
  Head,
  Loaded,
  Result,
  Section,
  Table,
  useAction,
  useLoad,
  RevokeCell,
  Select,
} from '../components';
import { CONSOLE_ROLES, type ConsoleRole } from '../permissions';
import type { Credential } from '../types';

/** The account's credentials (SPEC §19): list, create (its token shown this once), revoke. */
export function Credentials({ account, canWrite }: { account: string; canWrite: boolean }) {
  const base = `${path('accounts', account)}/credentials`;
  const [list, reload] = useLoad(() => call<Credential[]>('GET', base), [account]);
  const [name, setName] = useState('');
  const [role, setRole] = useState<ConsoleRole>('reader');
  const [created, create] = useAction(
    () => call<Credential>('POST', base, { name, role }),
    () => {
      setName('');
      reload();
    },
  );
  const [revoked, revoke] = useAction(
    (c: Credential) => call<void>('DELETE', `${base}${path(c.id)}`).then(() => c),
    reload,
  );
  return (
    <>
      <Section title="Credentials">
        <Loaded outcome={list}>
          {(all) => (
            <Table caption={`${all.length} credentials`}>
              <Head columns={['Name', 'Role', 'Id', 'Created', canWrite && 'Revoke']} />
              <tbody>
                {all.map((c) => (
                  <tr key={c.id}>
                    <td>{c.name}</td>
                    <td>{c.role}</td>
                    <td>
                      <code>{c.id}</code>
                    </td>
                    <td>{asText(c.createdAt)}</td>
                    {canWrite && <RevokeCell what={c.name} onRevoke={() => revoke(c)} />}
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
        </Loaded>
        {canWrite && (
          <Result outcome={revoked} done={(c) => `Revoked ${c.name}: it stopped working.`} />
        )}
      </Section>
      {canWrite && (
        <Section title="Create a credential">
          <Form onSubmit={create}>
            <Field
              label="Name"
              value={name}
              onInput={setName}
              required
              hint="Who holds it, e.g. Shop site lead"
            />
            <Select label="Role" value={role} options={CONSOLE_ROLES} onChange={setRole} />
            <button type="submit">Create credential</button>
          </Form>
          {created.state === 'done' ? (
            <div class="secret" role="status">
              <p>
                Created {created.value.name} ({created.value.role}). Its token is shown this once;
                Pantry keeps only its hash:
              </p>
              <pre class="code" tabIndex={0}>
                <code>{created.value.token ?? ''}</code>
              </pre>
            </div>
          ) : (
            <Result outcome={created} />
          )}
        </Section>
      )}
    </>
  );
}
