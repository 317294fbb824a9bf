import { call } from '../api';
import { Head, Loaded, PageTitle, Result, Section, Table, useAction, useLoad } from '../components';
import type { ReloadSummary } from '../types';
import { perMinute, type Second } from '../status-minutes';

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

interface StatusAnswer {
  ready: boolean;
  problems: string[];
  version: string;
  uptimeSeconds: number;
  counting: boolean;
  averages: { seconds: number; requests: number; refusals: number; errors: number }[];
  perSecond: Second[];
}

/** The averages are over the last minute and the last five (fewer seconds while the node is young). */
const span = (i: number, seconds: number) => {
  const minutes = i === 0 ? 1 : 5;
  const label = minutes === 1 ? 'Last minute' : `Last ${minutes} minutes`;
  return seconds < minutes * 60 ? `${label} (${seconds} s so far)` : label;
};

/** The node's status: ready, version, and its answers and refusals per second, minute by minute. */
export function Status() {
  const [status, reload] = useLoad(() => call<StatusAnswer>('GET', '/status'), []);
  return (
    <>
      <PageTitle>Status</PageTitle>
      <button type="button" onClick={reload}>
        Refresh
      </button>
      <Loaded outcome={status}>
        {(s) => (
          <>
            <Section title="This node">
              <dl class="record">
                <dt>Ready</dt>
                <dd class={s.ready ? 'ok' : 'bad'}>{s.ready ? 'ready' : 'not ready'}</dd>
                <dt>Version</dt>
                <dd>{s.version}</dd>
                <dt>Up for</dt>
                <dd>{Math.round(s.uptimeSeconds)} s</dd>
              </dl>
              {s.problems.length > 0 && (
                <ul class="problem">
                  {s.problems.map((p) => (
                    <li key={p}>{p}</li>
                  ))}
                </ul>
              )}
              {!s.counting && (
                <p class="note">server.metricsEnabled = false: nothing is counted.</p>
              )}
            </Section>
            <Section title="Answers per second">
              <Table caption="Averages">
                <Head columns={['Over', 'Requests/s', 'Refusals/s (4xx)', 'Errors/s (5xx)']} />
                <tbody>
                  {s.averages.map((a, i) => (
                    <tr key={i}>
                      <th scope="row">{span(i, a.seconds)}</th>
                      <td>{a.requests}</td>
                      <td>{a.refusals}</td>
                      <td>{a.errors}</td>
                    </tr>
                  ))}
                </tbody>
              </Table>
              <Table caption="Minute by minute (UTC), newest first">
                <Head columns={['Minute', 'Requests/s', 'Refusals/s (4xx)', 'Errors/s (5xx)']} />
                <tbody>
                  {perMinute(s.perSecond).map((m) => (
                    <tr key={m.minute}>
                      <th scope="row">{m.minute}</th>
                      <td>{m.requests}</td>
                      <td>{m.refusals}</td>
                      <td>{m.errors}</td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            </Section>
          </>
        )}
      </Loaded>
    </>
  );
}
