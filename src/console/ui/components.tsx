import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useId, useRef, useState } from 'preact/hooks';
import { ApiError } from './api';

/** What a load or an action gave: nothing yet, the data, or the server's refusal. */
export type Outcome<T> =
  | { readonly state: 'idle' }
  | { readonly state: 'busy' }
  | { readonly state: 'done'; readonly value: T }
  | { readonly state: 'failed'; readonly error: ApiError };

const failure = (e: unknown): ApiError =>
  e instanceof ApiError ? e : new ApiError(0, 'client_error', String(e));

/** Loads on mount and whenever `deps` change; `reload()` loads again (after a write). */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): [Outcome<T>, () => void] {
  const [outcome, setOutcome] = useState<Outcome<T>>({ state: 'busy' });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let live = true;
    setOutcome({ state: 'busy' });
    load().then(
      (value) => live && setOutcome({ state: 'done', value }),
      (e: unknown) => live && setOutcome({ state: 'failed', error: failure(e) }),
    );
    return () => {
      live = false;
    };
  }, [...deps, round]);
  return [outcome, useCallback(() => setRound((r) => r + 1), [])];
}

/** Runs a write; its outcome is shown next to the form that made it. */
export function useAction<A extends unknown[], T>(
  act: (...args: A) => Promise<T>,
  after?: (value: T) => void,
): [Outcome<T>, (...args: A) => Promise<void>, () => void] {
  const [outcome, setOutcome] = useState<Outcome<T>>({ state: 'idle' });
  const run = async (...args: A) => {
    setOutcome({ state: 'busy' });
    try {
      const value = await act(...args);
      setOutcome({ state: 'done', value });
      after?.(value);
    } catch (e) {
      setOutcome({ state: 'failed', error: failure(e) });
    }
  };
  return [outcome, run, () => setOutcome({ state: 'idle' })];
}

/** The server's refusal, announced to screen readers. */
export function Problem({ error }: { error: ApiError }) {
  return (
    <div class="problem" role="alert">
      <p>
        <strong>{error.code}</strong>: {error.message}
      </p>
      {error.problems.length > 0 && (
        <ul>
          {error.problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** A loaded value: a busy note, the refusal, or `children(value)`. */
export function Loaded<T>({
  outcome,
  children,
}: {
  outcome: Outcome<T>;
  children: (value: T) => ComponentChildren;
}) {
  if (outcome.state === 'failed') return <Problem error={outcome.error} />;
  if (outcome.state !== 'done') return <p aria-busy="true">Loading…</p>;
  return <>{children(outcome.value)}</>;
}

/** A write's result: the refusal, or `done` (polite, so it is read out). */
export function Result<T>({ outcome, done }: { outcome: Outcome<T>; done?: (value: T) => string }) {
  if (outcome.state === 'failed') return <Problem error={outcome.error} />;
  return (
    <p class="status" role="status">
      {outcome.state === 'busy'
        ? 'Working…'
        : outcome.state === 'done' && done
          ? done(outcome.value)
          : ''}
    </p>
  );
}

/** A labelled input (every field of the console has a visible label). */
export function Field({
  label,
  value,
  onInput,
  type = 'text',
  hint,
  required,
  name,
  list,
}: {
  label: string;
  value: string;
  onInput: (value: string) => void;
  type?: string;
  hint?: string;
  required?: boolean;
  name?: string;
  list?: string;
}) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        name={name}
        type={type}
        value={value}
        required={required}
        list={list}
        autocomplete="off"
        spellcheck={false}
        aria-describedby={hint ? `${id}-hint` : undefined}
        onInput={(e) => onInput(e.currentTarget.value)}
      />
      {hint && (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
    </div>
  );
}

/** A page's heading, focused when the page opens so keyboard and screen reader users land on it. */
export function PageTitle({ children }: { children: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <h1 tabIndex={-1} ref={ref}>
      {children}
    </h1>
  );
}

export function Section({ title, children }: { title: string; children: ComponentChildren }) {
  const id = useId();
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {children}
    </section>
  );
}

const ISO_TIME = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(\.\d+)?Z$/;

/**
 * Any JSON value as text (records, audit details): times as `YYYY-MM-DD HH:MM:SS UTC`, lists
 * joined, nothing as a dash. Never markup: the result is rendered as a text node.
 */
export const asText = (v: unknown): string => {
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v === 'string') {
    const t = ISO_TIME.exec(v);
    return t ? `${t[1]} ${t[2]} UTC` : v;
  }
  if (Array.isArray(v)) {
    if (v.length === 0) return 'none';
    if (v.every((x) => typeof x !== 'object' || x === null)) return v.map(asText).join(', ');
  }
  return JSON.stringify(v) ?? '—';
};

/** An audit entry's details as `key: value` pairs (values as text). */
export const detailsText = (details: Record<string, unknown> | null): string =>
  details
    ? Object.entries(details)
        .map(([k, v]) => `${k}: ${asText(v)}`)
        .join('; ')
    : '—';

/** A table that scrolls sideways on a narrow screen instead of overflowing the page. */
export function Table({ caption, children }: { caption: string; children: ComponentChildren }) {
  return (
    <div class="table-wrap" role="region" aria-label={caption} tabIndex={0}>
      <table>
        <caption>{caption}</caption>
        {children}
      </table>
    </div>
  );
}

/** A form whose submit runs `onSubmit` in the page (never a navigation). */
export function Form({
  onSubmit,
  children,
  class: className,
}: {
  onSubmit: () => unknown;
  children: ComponentChildren;
  class?: string;
}) {
  return (
    <form
      class={className}
      onSubmit={(e) => {
        e.preventDefault();
        void onSubmit();
      }}
    >
      {children}
    </form>
  );
}

/** A table's header row: its column names. */
export function Head({ columns }: { columns: (string | false)[] }) {
  return (
    <thead>
      <tr>
        {columns.map(
          (c) =>
            c !== false && (
              <th key={c} scope="col">
                {c}
              </th>
            ),
        )}
      </tr>
    </thead>
  );
}

/** A button that deletes or revokes something; its accessible name says what (`label`). */
export function DangerButton({
  label,
  onClick,
  children,
}: {
  label: string;
  onClick: () => unknown;
  children: ComponentChildren;
}) {
  return (
    <button type="button" class="danger" aria-label={label} onClick={() => void onClick()}>
      {children}
    </button>
  );
}

/** The last cell of a row that can be revoked (an API key, a credential). */
export function RevokeCell({ what, onRevoke }: { what: string | null; onRevoke: () => unknown }) {
  return (
    <td>
      {what !== null && (
        <DangerButton label={`Revoke ${what}`} onClick={onRevoke}>
          Revoke
        </DangerButton>
      )}
    </td>
  );
}

/** A labelled choice among `options` (value, and the text shown when it differs). */
export function Select<T extends string>({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: T;
  options: readonly T[] | readonly (readonly [T, string])[];
  onChange: (value: T) => void;
}) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.currentTarget.value as T)}>
        {options.map((o) => {
          const [v, text] = typeof o === 'string' ? [o, o] : o;
          return (
            <option key={v} value={v}>
              {text}
            </option>
          );
        })}
      </select>
    </div>
  );
}
