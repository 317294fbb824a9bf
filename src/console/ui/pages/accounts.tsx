import { useState } from 'preact/hooks';
import { call } from '../api';
import {
  Field,
  Loaded,
  PageTitle,
  Result,
  Section,
  Table,
  useAction,
  useLoad,
  Form,
  Head,
} from '../components';
import type { Account } from '../types';

/** Every account (the admin token's page): search, open one, create one. */
export function Accounts() {
  const [accounts, reload] = useLoad(() => call<Account[]>('GET', '/accounts'), []);
  const [query, setQuery] = useState('');
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [created, create] = useAction(
    () => call<Account>('POST', '/accounts', name ? { id, name } : { id }),
    () => {
      setId('');
      setName('');
      reload();
    },
  );
  const q = query.trim().toLowerCase();
  return (
    <>
      <PageTitle>Accounts</PageTitle>
      <Section title="Find an account">
        <Field label="Search by id or name" type="search" value={query} onInput={setQuery} />
        <Loaded outcome={accounts}>
          {(all) => {
            const shown = all.filter(
              (a) => !q || a.id.includes(q) || a.name.toLowerCase().includes(q),
            );
            return (
              <Table caption={`${shown.length} of ${all.length} accounts`}>
                <Head columns={['Account', 'Name', 'Defined by', 'API keys']} />
                <tbody>
                  {shown.map((a) => (
                    <tr key={a.id}>
                      <td>
                        <a href={`#/accounts/${encodeURIComponent(a.id)}`}>{a.id}</a>
                      </td>
                      <td>{a.name}</td>
                      <td>{a.source === 'file' ? (a.file ?? 'file') : 'the API'}</td>
                      <td>{a.apiKeys.length}</td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            );
          }}
        </Loaded>
      </Section>
      <Section title="Create an account">
        <Form onSubmit={() => create()}>
          <Field
            label="Account id"
            value={id}
            onInput={setId}
            required
            hint="Lower-case letters, digits and dashes, e.g. acme"
          />
          <Field label="Display name (optional)" value={name} onInput={setName} />
          <button type="submit">Create account</button>
          <Result
            outcome={created}
            done={(a) => `Created ${a.id} with its first API key ${a.apiKeys[0]?.key ?? ''}.`}
          />
        </Form>
      </Section>
    </>
  );
}
