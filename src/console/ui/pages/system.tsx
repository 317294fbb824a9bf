import { call } from '../api';
import {
  asText,
  Loaded,
  PageTitle,
  Result,
  Section,
  Table,
  useAction,
  useLoad,
} from '../components';
import type { ReloadSummary } from '../types';

/** Re-read the properties files: the summary, or every problem (the last good config stays). */
export function Reload() {
  const [outcome, run] = useAction(() => call<ReloadSummary>('POST', '/config/reload'));
  return (
    <>
      <PageTitle>Configuration reload</PageTitle>
      <Section title="Re-read the properties files">
        <p>
          Pantry also watches its files. On a problem nothing changes: the last good configuration
          stays in force and every problem is listed.
        </p>
        <button type="button" onClick={() => void run()}>
          Reload configuration
        </button>
        <Result
          outcome={outcome}
          done={(s) =>
            `Reloaded: ${s.accounts} file accounts; added ${s.added.join(', ') || 'none'}; removed ${
              s.removed.join(', ') || 'none'
            }${s.restartRequired.length ? `; at the next restart: ${s.restartRequired.join(', ')}` : ''}.`
          }
        />
      </Section>
    </>
  );
}

type Row = Record<string, unknown>;
const isRows = (v: unknown): v is Row[] =>
  Array.isArray(v) && v.every((r) => r !== null && typeof r === 'object' && !Array.isArray(r));

/** The server's status: ready, version, and the per-minute tallies as the server reports them. */
export function Status() {
  const [status, reload] = useLoad(() => call<Row>('GET', '/status'), []);
  return (
    <>
      <PageTitle>Status</PageTitle>
      <button type="button" onClick={reload}>
        Refresh
      </button>
      <Loaded outcome={status}>
        {(s) => {
          const scalars = Object.entries(s).filter(([, v]) => !isRows(v));
          const series = Object.entries(s).filter(([, v]) => isRows(v)) as [string, Row[]][];
          return (
            <>
              <Section title="This node">
                <dl class="record">
                  {scalars.map(([k, v]) => [
                    <dt key={`t-${k}`}>{k}</dt>,
                    <dd key={`d-${k}`}>{asText(v)}</dd>,
                  ])}
                </dl>
              </Section>
              {series.map(([name, rows]) => {
                const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
                return (
                  <Section key={name} title={name}>
                    <Table caption={name}>
                      <thead>
                        <tr>
                          {columns.map((c) => (
                            <th key={c} scope="col">
                              {c}
                            </th>
                          ))}
                        </tr>
                      </thead>
                      <tbody>
                        {rows.map((r, i) => (
                          <tr key={i}>
                            {columns.map((c) => (
                              <td key={c}>{asText(r[c])}</td>
                            ))}
                          </tr>
                        ))}
                      </tbody>
                    </Table>
                  </Section>
                );
              })}
            </>
          );
        }}
      </Loaded>
    </>
  );
}
