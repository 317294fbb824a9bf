import { useState } from 'preact/hooks';
import { signIn, type Session } from '../api';
import { Field, PageTitle, Result, useAction, Form } from '../components';

/** The admin token or an account credential (`pty_…`), exchanged for the session cookie. */
export function SignIn({
  onSignedIn,
  notice,
}: {
  onSignedIn: (s: Session) => void;
  notice: string;
}) {
  const [token, setToken] = useState('');
  const [outcome, run] = useAction(signIn, (session) => {
    setToken('');
    onSignedIn(session);
  });
  return (
    <main id="main" class="sign-in">
      <PageTitle>Sign in to Pantry</PageTitle>
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      <Form onSubmit={() => run(token)}>
        <Field
          label="Admin token or account credential"
          type="password"
          name="token"
          value={token}
          onInput={setToken}
          required
          hint="The server's admin token, or a credential of one account (pty_…). It is sent once and never stored by this page."
        />
        <button type="submit" disabled={outcome.state === 'busy'}>
          Sign in
        </button>
        <Result outcome={outcome} />
      </Form>
    </main>
  );
}
