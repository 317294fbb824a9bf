import { useId, useRef, useState } from 'preact/hooks';
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
  DangerButton,
} from '../components';
import type { Property } from '../types';

const SOURCES: Record<Property['source'], string> = {
  default: 'default',
  global: 'application.properties',
  file: 'account file',
  api: 'api',
};

/** The account's effective properties, loaded (again with the second element). */
export const useProperties = (account: string) =>
  useLoad(() => call<Property[]>('GET', `${path('accounts', account)}/properties`), [account]);

/**
 * The account's effective properties (all, or those under `prefixes`) with their source and the
 * 400-day note; with `canWrite`, set and remove API overrides, showing the server's own message.
 */
export function Properties({
  account,
  canWrite,
  prefixes,
  title,
}: {
  account: string;
  canWrite: boolean;
  prefixes?: string[];
  title: string;
}) {
  const [list, reload] = useProperties(account);
  const listId = useId();
  const [filter, setFilter] = useState('');
  const [key, setKey] = useState('');
  const [value, setValue] = useState('');
  const valueField = useRef<HTMLDivElement>(null);
  const [saved, save] = useAction(
    () =>
      call<Property>('PUT', `${path('accounts', account, 'properties', key.trim())}`, { value }),
    reload,
  );
  const [removed, remove] = useAction(
    (k: string) => call<void>('DELETE', path('accounts', account, 'properties', k)).then(() => k),
    reload,
  );
  const f = filter.trim().toLowerCase();
  const edit = (p: Property) => {
    setKey(p.key);
    setValue(p.source === 'api' ? p.value : '');
    valueField.current?.querySelector('input')?.focus();
  };
  return (
    <Loaded outcome={list}>
      {(all) => {
        const mine = all.filter((p) => !prefixes || prefixes.some((x) => p.key.startsWith(x)));
        const shown = mine.filter((p) => !f || p.key.toLowerCase().includes(f));
        const settable = mine.filter((p) => p.scope === 'ACCOUNT');
        return (
          <>
            <Section title={title}>
              <Field label="Filter by key" type="search" value={filter} onInput={setFilter} />
              <Table caption={`${shown.length} effective properties`}>
                <Head columns={['Key', 'Value', 'Source', 'Scope', canWrite && 'Override']} />
                <tbody>
                  {shown.map((p) => (
                    <tr key={p.key} data-key={p.key}>
                      <th scope="row">
                        <code>{p.key}</code>
                      </th>
                      <td>
                        <code class="value">{p.value}</code>
                        {p.effectiveValue !== undefined && (
                          <p class="note">
                            Browsers apply <code>{p.effectiveValue}</code>
                            {p.note ? `: ${p.note}` : ''}
                          </p>
                        )}
                      </td>
                      <td class="source">{SOURCES[p.source]}</td>
                      <td>{p.scope}</td>
                      {canWrite && (
                        <td class="actions">
                          {p.scope === 'ACCOUNT' && (
                            <button
                              type="button"
                              onClick={() => edit(p)}
                              aria-label={`Edit ${p.key}`}
                            >
                              Edit
                            </button>
                          )}
                          {p.source === 'api' && (
                            <DangerButton
                              label={`Remove the override of ${p.key}`}
                              onClick={() => remove(p.key)}
                            >
                              Remove
                            </DangerButton>
                          )}
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </Table>
              {canWrite && (
                <Result outcome={removed} done={(k) => `Removed the override of ${k}.`} />
              )}
            </Section>
            {canWrite && (
              <Section title="Set an override">
                <Form onSubmit={() => save()}>
                  <datalist id={listId}>
                    {settable.map((p) => (
                      <option key={p.key} value={p.key} />
                    ))}
                  </datalist>
                  <Field label="Property key" value={key} onInput={setKey} list={listId} required />
                  <div ref={valueField}>
                    <Field
                      label="Value"
                      value={value}
                      onInput={setValue}
                      hint="Written as in a properties file; the server validates it exactly like the files."
                    />
                  </div>
                  <button type="submit">Save override</button>
                  <Result
                    outcome={saved}
                    done={(p) => `Saved: ${p.key} = ${p.value} (${p.source}).`}
                  />
                </Form>
              </Section>
            )}
          </>
        );
      }}
    </Loaded>
  );
}
