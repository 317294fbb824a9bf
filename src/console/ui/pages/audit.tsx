import { useState } from 'preact/hooks';
import { call, path } from '../api';
import {
  asText,
  detailsText,
  Field,
  Loaded,
  Section,
  Table,
  useLoad,
  Form,
  Head,
  Select,
} from '../components';
import type { AuditEntry } from '../types';

const SIZES = ['25', '100', '500'];

/**
 * The audit log, newest first: the server's (the admin token, filtered by account) or one
 * account's (`account`: a credential's own); paged by the oldest id shown.
 */
export function Audit({ account, title = 'Audit log' }: { account?: string; title?: string }) {
  const [filter, setFilter] = useState('');
  const [applied, setApplied] = useState('');
  const [limit, setLimit] = useState(25);
  const [before, setBefore] = useState<number[]>([]);
  const cursor = before[before.length - 1];
  const [entries] = useLoad(() => {
    const q = new URLSearchParams({ limit: String(limit) });
    if (cursor !== undefined) q.set('before', String(cursor));
    if (!account && applied) q.set('accountId', applied);
    const base = account ? `${path('accounts', account)}/audit` : '/audit';
    return call<AuditEntry[]>('GET', `${base}?${q.toString()}`);
  }, [account, applied, limit, cursor]);
  return (
    <Section title={title}>
      <Form
        class="filters"
        onSubmit={() => {
          setBefore([]);
          setApplied(filter.trim());
        }}
      >
        {!account && (
          <Field label="Account" value={filter} onInput={setFilter} hint="Empty: every account" />
        )}
        <Select
          label="Entries per page"
          value={String(limit)}
          options={SIZES}
          onChange={(v) => {
            setBefore([]);
            setLimit(Number(v));
          }}
        />
        {!account && <button type="submit">Apply filter</button>}
      </Form>
      <Loaded outcome={entries}>
        {(list) => (
          <>
            <Table
              caption={`${list.length} entries${applied ? ` of ${applied}` : ''}, newest first`}
            >
              <Head columns={['When', 'Actor', 'Action', 'Account', 'Target', 'Details']} />
              <tbody>
                {list.map((e) => (
                  <tr key={e.id} data-action={e.action}>
                    <td>{asText(e.at)}</td>
                    <td>{e.actor}</td>
                    <td>
                      <code>{e.action}</code>
                    </td>
                    <td>{asText(e.accountId)}</td>
                    <td>{asText(e.target)}</td>
                    <td class="details">{detailsText(e.details)}</td>
                  </tr>
                ))}
              </tbody>
            </Table>
            <nav class="pager" aria-label="Audit pages">
              <button
                type="button"
                disabled={before.length === 0}
                onClick={() => setBefore(before.slice(0, -1))}
              >
                Newer entries
              </button>
              <button
                type="button"
                disabled={list.length < limit}
                onClick={() => setBefore([...before, list[list.length - 1].id])}
              >
                Older entries
              </button>
            </nav>
          </>
        )}
      </Loaded>
    </Section>
  );
}
