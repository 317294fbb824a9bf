import { useState } from 'preact/hooks';
import { call, path } from '../api';
import { Field, Problem, Section, useAction, Form } from '../components';
import type { Diagnosis as Answer } from '../types';

const VERDICTS: Record<string, string> = {
  durable: 'Durable: Safari keeps the identity cookies 400 days',
  capped: 'Capped: Safari keeps the identity cookies 7 days',
  unknown: 'Unknown: the lifetime could not be told',
};

/** How long Safari keeps the account's cookies for a visitor on a page: verdict and reasons. */
export function Diagnosis({ account }: { account: string }) {
  const [page, setPage] = useState('');
  const [server, setServer] = useState('');
  const [outcome, run] = useAction(() => {
    const q = new URLSearchParams({ page });
    if (server.trim()) q.set('server', server.trim());
    return call<Answer>('GET', `${path('accounts', account)}/diagnostics?${q.toString()}`);
  });
  return (
    <Section title="Durability diagnosis">
      <Form onSubmit={() => run()}>
        <Field
          label="Page URL"
          type="url"
          value={page}
          onInput={setPage}
          required
          hint="A page of the site, e.g. https://www.shop.com/"
        />
        <Field
          label="Where the page reaches Pantry (optional)"
          value={server}
          onInput={setServer}
          hint="Default: the page's own origin (same-origin, document or edge mode)"
        />
        <button type="submit">Diagnose</button>
      </Form>
      <div aria-live="polite">
        {outcome.state === 'busy' && <p>Resolving names…</p>}
        {outcome.state === 'failed' && <Problem error={outcome.error} />}
        {outcome.state === 'done' && (
          <div class={`verdict verdict-${outcome.value.verdict}`}>
            <h3>{VERDICTS[outcome.value.verdict] ?? outcome.value.verdict}</h3>
            <dl>
              <dt>Mode</dt>
              <dd>{outcome.value.mode}</dd>
              <dt>Server</dt>
              <dd>{outcome.value.server}</dd>
              <dt>Relayed copies</dt>
              <dd>{outcome.value.corsCookieMode}</dd>
              <dt>Lifetime</dt>
              <dd>
                {outcome.value.lifetimeDays === null
                  ? 'none or unknown'
                  : `${outcome.value.lifetimeDays} days`}
              </dd>
            </dl>
            <h4>Reasons</h4>
            <ul class="reasons">
              {outcome.value.reasons.map((r) => (
                <li key={r.code}>
                  <code>{r.code}</code>: {r.message}
                </li>
              ))}
            </ul>
            <h4>Cookie keeper</h4>
            <p>{outcome.value.keeper.message}</p>
          </div>
        )}
      </div>
    </Section>
  );
}
