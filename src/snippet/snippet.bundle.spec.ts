import { createContext, runInContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { PROPERTY_CATALOG } from '../properties/property-catalog';
import {
  KEEP_GLOBAL,
  PANTRY_FUNCTIONS,
  SNIPPET_CONFIG_PLACEHOLDER,
  SnippetConfig,
} from './snippet-config';
import { bundleSnippet } from './snippet.bundle';

/** The catalog keys the snippet may name: its error message points the site at this one. */
const KEYS_THE_SNIPPET_NAMES = ['server.cors.allowedOrigins'];

/** A Web Storage stand-in. */
const storage = () => {
  const items = new Map<string, string>();
  return {
    getItem: (k: string) => items.get(k) ?? null,
    setItem: (k: string, v: string) => void items.set(k, String(v)),
    removeItem: (k: string) => void items.delete(k),
  };
};

/**
 * Runs the bundle as a page's classic script would: in a realm whose global object is
 * `window` (a top-level `var` or function of the script lands on it), with the browser APIs
 * the snippet uses and a server that answers identify. Resolves with the globals the script
 * added and the properties it added to `document`, once `pantry.ready` settled.
 */
async function runAsPage(code: string, cfg: SnippetConfig, globals: Record<string, unknown> = {}) {
  let calls = 0;
  const document = {
    cookie: '',
    currentScript: { src: `https://cookies.shop.com/unblu/visitor.js?x-unblu-apikey=${cfg.k}` },
    addEventListener: () => {},
  };
  const answer = {
    account: 'shop',
    visitorId: 'v',
    deviceId: 'd',
    sessionId: 's',
    consent: 'unset',
  };
  const page: Record<string, unknown> = {
    document,
    location: new URL('https://www.shop.com/page'),
    history: { state: null, replaceState: () => {} },
    localStorage: storage(),
    sessionStorage: storage(),
    fetch: () =>
      ++calls &&
      Promise.resolve(
        new Response(JSON.stringify(answer), { headers: { 'content-type': 'application/json' } }),
      ),
    URL,
    setTimeout,
    console,
    ...globals,
  };
  page.window = page;
  const context = createContext(page);
  const globalsBefore = new Set(Object.getOwnPropertyNames(context));
  const documentBefore = new Set(Object.keys(document));
  runInContext(code.replace(SNIPPET_CONFIG_PLACEHOLDER, JSON.stringify(cfg)), context);
  const pantry = page.pantry as { ready: Promise<unknown> } | undefined;
  await pantry?.ready;
  return {
    pantry,
    calls,
    page,
    added: Object.getOwnPropertyNames(context).filter((n) => !globalsBefore.has(n)),
    onDocument: Object.keys(document).filter((n) => !documentBefore.has(n)),
  };
}

describe(bundleSnippet.name, () => {
  const code = bundleSnippet();

  it('is at most 4 KiB gzipped', () => {
    expect(gzipSync(code, { level: 9 }).length).toBeLessThanOrEqual(4096);
  });

  it('holds the config placeholder exactly once and no source maps or comments', () => {
    expect(code.split(SNIPPET_CONFIG_PLACEHOLDER)).toHaveLength(2);
    expect(code).not.toContain('sourceMappingURL');
    expect(code).not.toMatch(/\/\*[^!]/);
  });

  it.each<SnippetConfig['m']>(['LOCAL_STORAGE', 'LOCAL_DOMAIN_STORAGE', 'PRODUCT_DOMAIN'])(
    'run in a page (%s), defines window.pantry and no other global',
    async (m) => {
      const { pantry, added, onDocument } = await runAsPage(code, {
        k: 'shop-key-0001',
        m,
        p: 'x-unblu-',
        f: 0,
        t: ['https://www.partner.io'],
      });
      expect(added).toEqual(['pantry']);
      expect(onDocument).toEqual([]);
      expect(pantry).toMatchObject({ visitorId: 'v', deviceId: 'd', consentState: 'unset' });
      for (const f of PANTRY_FUNCTIONS)
        expect(typeof (pantry as Record<string, unknown>)[f]).toBe('function');
    },
  );

  it('bundles nothing of the server: no paths, no Node APIs, no secrets, no other property keys', () => {
    const root = join(__dirname, '..', '..');
    for (const text of [
      root,
      'node_modules',
      '/src/',
      '.ts"',
      '__dirname',
      'require(',
      'process.',
    ]) {
      expect(code).not.toContain(text);
    }
    expect(code).not.toMatch(/secret|password|admin|database|signing/i);
    const named = PROPERTY_CATALOG.map((e) => e.key).filter((key) => code.includes(key));
    expect(named).toEqual(KEYS_THE_SNIPPET_NAMES);
  });

  describe('after keep.js (SPEC §14: the page’s one Pantry call)', () => {
    const cfg = (m: SnippetConfig['m'], k = 'shop-key-0001'): SnippetConfig => ({
      k,
      m,
      p: 'x-unblu-',
      f: 0,
    });
    const keep = {
      [`x-unblu-${KEEP_GLOBAL}`]: {
        k: 'shop-key-0001',
        a: { account: 'shop', visitorId: 'kv', deviceId: 'kd', sessionId: 'ks', consent: 'unset' },
      },
    };

    it('takes keep.js’s answer and does not call identify (PRODUCT_DOMAIN)', async () => {
      const { pantry, calls, page } = await runAsPage(code, cfg('PRODUCT_DOMAIN'), keep);
      expect(calls).toBe(0);
      expect(pantry).toMatchObject({ visitorId: 'kv', deviceId: 'kd' });
      await expect(pantry!.ready).resolves.toMatchObject({ visitorId: 'kv' });
      expect(page[`x-unblu-${KEEP_GLOBAL}`]).toBeUndefined();
    });

    it.each([
      ['another account’s answer', cfg('PRODUCT_DOMAIN', 'other-key-0001')],
      ['a storage mode (identify relays its copies)', cfg('LOCAL_STORAGE')],
    ])('calls identify itself for %s', async (_what, config) => {
      const { pantry, calls } = await runAsPage(code, config, keep);
      expect(calls).toBe(1);
      expect(pantry).toMatchObject({ visitorId: 'v' });
    });

    it('calls identify once without keep.js', async () => {
      expect((await runAsPage(code, cfg('PRODUCT_DOMAIN'))).calls).toBe(1);
    });
  });
});
