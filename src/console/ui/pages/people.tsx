import { useState } from 'preact/hooks';
import { call, path } from '../api';
import { asText, Field, Problem, Result, Section, useAction, Form } from '../components';

type Kind = 'visitors' | 'customers';

const NOUN: Record<Kind, string> = { visitors: 'visitor', customers: 'customer' };

/** A visitor's or a customer's record, and erasure with a typed confirmation. */
export function People({
  account,
  may,
}: {
  account: string;
  may: (k: Kind, erase: boolean) => boolean;
}) {
  return (
    <>
      {may('visitors', false) && (
        <Person account={account} kind="visitors" canErase={may('visitors', true)} />
      )}
      {may('customers', false) && (
        <Person account={account} kind="customers" canErase={may('customers', true)} />
      )}
    </>
  );
}

function Person({ account, kind, canErase }: { account: string; kind: Kind; canErase: boolean }) {
  const noun = NOUN[kind];
  const [id, setId] = useState('');
  const [confirm, setConfirm] = useState('');
  const [record, lookUp, clear] = useAction((who: string) =>
    call<Record<string, unknown>>('GET', path('accounts', account, kind, who)).then((r) => ({
      who,
      r,
    })),
  );
  const [erased, erase] = useAction(
    (who: string) => call<void>('DELETE', path('accounts', account, kind, who)).then(() => who),
    () => {
      setConfirm('');
      clear();
    },
  );
  const shown = record.state === 'done' ? record.value : null;
  return (
    <Section title={noun === 'visitor' ? 'A visitor' : 'A customer'}>
      <Form onSubmit={() => lookUp(id.trim())}>
        <Field
          label={`${noun === 'visitor' ? 'Visitor' : 'Customer'} id`}
          value={id}
          onInput={setId}
          required
        />
        <button type="submit">Look up {noun}</button>
      </Form>
      {record.state === 'failed' && <Problem error={record.error} />}
      {shown && (
        <>
          <dl class="record" aria-label={`The ${noun}'s record`}>
            {Object.entries(shown.r).map(([k, v]) => [
              <dt key={`t-${k}`}>{k}</dt>,
              <dd key={`d-${k}`}>{asText(v)}</dd>,
            ])}
          </dl>
          {canErase && (
            <Form
              class="erase"
              onSubmit={() => {
                if (confirm === shown.who) void erase(shown.who);
              }}
            >
              <Field
                label={`Type the ${noun} id to confirm the erasure`}
                value={confirm}
                onInput={setConfirm}
                hint={`Erasure cannot be undone: ${
                  kind === 'visitors'
                    ? 'the record is deleted and its cookies are refused from now on'
                    : 'every linked visitor is erased and every session revoked'
                }.`}
              />
              <button type="submit" class="danger" disabled={confirm !== shown.who}>
                Erase {noun}
              </button>
            </Form>
          )}
        </>
      )}
      <Result outcome={erased} done={(who) => `Erased ${noun} ${who}.`} />
    </Section>
  );
}
