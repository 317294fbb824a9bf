import { runInNewContext } from 'node:vm';
import { PANTRY_FUNCTIONS } from './snippet-config';
import { snippetStandIn } from './snippet-stand-in';

type Pantry = Record<string, unknown> & { ready: Promise<unknown> };

/** Runs the stand-in as a page would, returning its window.pantry and console warnings. */
function run(code: string, message: string) {
  const warnings: unknown[][] = [];
  const window: { pantry?: Pantry } = {};
  const console = { warn: (...args: unknown[]) => warnings.push(args) };
  runInNewContext(snippetStandIn(code, message), { window, console, Promise });
  return { pantry: window.pantry!, warnings };
}

describe(snippetStandIn.name, () => {
  it.each([
    ['unknown_api_key', 'Unknown API key.'],
    ['api_key_required', 'Pass the account’s API key as query parameter or header x-unblu-apikey.'],
  ])('defines window.pantry whose ready and functions reject with %s', async (code, message) => {
    const { pantry, warnings } = run(code, message);
    await expect(pantry.ready).rejects.toMatchObject({ code, message });
    for (const f of PANTRY_FUNCTIONS) {
      await expect((pantry[f] as () => Promise<unknown>)()).rejects.toMatchObject({
        code,
        message,
      });
    }
    expect(pantry).toMatchObject({ visitorId: null, deviceId: null, consentState: null });
    expect((pantry.copies as () => unknown[])()).toEqual([]);
    expect(warnings).toEqual([[`Pantry: ${message} (${code})`]]);
  });

  it('leaves no unhandled rejection behind when nobody awaits ready', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      run('unknown_api_key', 'Unknown API key.');
      await new Promise((r) => setTimeout(r, 20));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });

  it.each([
    ['a script end tag', '</script><script>alert(1)</script>'],
    ['line separators', 'a\u2028b\u2029c'],
    ['quotes and backslashes', `"';\\`],
  ])('writes %s as inert string data', (_, hostile) => {
    const script = snippetStandIn('unknown_api_key', hostile);
    expect(script).not.toContain('</script');
    expect(script).not.toMatch(/[\u2028\u2029]/);
    return expect(run('unknown_api_key', hostile).pantry.ready).rejects.toMatchObject({
      message: hostile,
    });
  });
});
