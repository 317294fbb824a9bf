/*
 * Pantry's visitor snippet. Loaded with
 *   <script src="https://SERVER/unblu/visitor.js?x-unblu-apikey=KEY" defer></script>
 * it calls identify at most once per page load (not at all while its copies are fresh), keeps
 * the relayed cookie copies where the account's corsCookieMode says, echoes them back, and
 * exposes window.pantry. It never throws into the host page: every Promise it hands out rejects
 * with an Error carrying Pantry's `code` and `message` (the server's, when its answer could be
 * read; else the likely cause).
 */
import type { RelayCookie, RelayPayload } from '../cookies/relay-header';
import type { BridgedIdentifyResult, IdentifyResult } from '../vocabulary/visitor-answers';
import { GOOGLE_CONSENT_HEADER, TCF_COOKIE, TCF_HEADER } from '../vocabulary/consent';
import { gcmChanges, gcmCommand, gcmStart, gcmState, type Signal, tcfSignal } from './cmp-signals';
import { KEEP_GLOBAL, type PantryFunction, type SnippetConfig } from './snippet-config';

declare const __PANTRY_CONFIG__: SnippetConfig;

/** The query parameter of a bridged link (the server's BRIDGE_PARAM). */
const BRIDGE_PARAM = 'pantry_bridge';
/**
 * How long a bridge token that met `consent_required` is kept for the consent call: the
 * longest `bridge.tokenTtlSeconds`. The server answers `expired` for one past its own TTL.
 */
const BRIDGE_KEEP_SECONDS = 600;

// The wire formats are the server's own types (type-only imports: nothing of the server is bundled).
type Copy = RelayCookie;
type Relay = RelayPayload;
type Answer = IdentifyResult & Partial<Pick<BridgedIdentifyResult, 'bridged' | 'bridge'>>;
/** What every Promise of window.pantry rejects with. */
type Failure = Error & { code: string };
/** What the snippet keeps: the copies, the last answer, when it was fetched, for which key. */
interface Store {
  c: Copy[];
  a?: Answer;
  t?: number;
  k?: string;
}

(() => {
  const cfg = __PANTRY_CONFIG__;
  const w = window as Window & {
    pantry?: unknown;
    __tcfapi?: (
      command: string,
      version: number,
      callback: (d: unknown, ok: unknown) => void,
    ) => void;
    dataLayer?: unknown[];
    gtag?: (...args: unknown[]) => void;
  };
  // consent.source when it is the site's CMP (SPEC §15): identify waits for it.
  const cmp = cfg.c;
  const doc = document;
  const now = () => Math.floor(Date.now() / 1000);
  const name = `${cfg.p}virtual-cookie-storage`;
  const marker = `${name}-session-marker`;
  const localStore = cfg.m === 'LOCAL_STORAGE';
  const domainStore = cfg.m === 'LOCAL_DOMAIN_STORAGE';
  const product = cfg.m === 'PRODUCT_DOMAIN';
  // PRODUCT_DOMAIN keeps no copies (the browser holds the server's cookies), only the last
  // answer, so that ids are there synchronously on the next page.
  const answerName = `${cfg.p}identity`;

  // The public base a trusted proxy announced (same-origin path mode), else the script's own URL.
  let base = cfg.b ?? '';
  try {
    const src = (doc.currentScript as HTMLScriptElement | null)?.src;
    if (!base && src) base = src.replace(/[?#].*$/, '').replace(/visitor\.js$/, '');
  } catch {
    /* base stays empty: calls fail softly below */
  }

  const readCookie = (n: string): string | null => {
    for (const part of doc.cookie.split('; ')) {
      if (part.startsWith(`${n}=`)) return part.slice(n.length + 1);
    }
    return null;
  };

  const writeCookie = (n: string, value: string, domain: string | null, maxAge: number | null) => {
    doc.cookie =
      `${n}=${value}; path=/` +
      (domain ? `; domain=${domain}` : '') +
      (maxAge === null ? '' : `; max-age=${maxAge}`) +
      `; samesite=lax${location.protocol === 'https:' ? '; secure' : ''}`;
  };

  const load = (): Store => {
    let store: Store = { c: [] };
    try {
      const raw = localStore
        ? localStorage.getItem(name)
        : domainStore
          ? readCookie(name)
          : localStorage.getItem(answerName);
      if (raw) store = JSON.parse(domainStore ? decodeURIComponent(raw) : raw) as Store;
      if (domainStore && !readCookie(marker)) {
        // A new browser session: copies of session cookies die with the old one.
        store.c = store.c.filter((c) => c.expires !== null);
        delete store.a;
      }
    } catch {
      store = { c: [] };
    }
    const t = now();
    store.c = (store.c || []).filter((c) => c.expires === null || c.expires > t);
    return store;
  };

  const save = (store: Store) => {
    try {
      if (localStore) localStorage.setItem(name, JSON.stringify(store));
      if (product) localStorage.setItem(answerName, JSON.stringify({ ...store, c: [] }));
      if (domainStore) {
        const domain = store.c.find((c) => c.domain)?.domain ?? null;
        const expiry = Math.max(0, ...store.c.map((c) => c.expires ?? 0));
        writeCookie(
          name,
          encodeURIComponent(JSON.stringify(store)),
          domain,
          expiry ? expiry - now() : null,
        );
        writeCookie(marker, '1', domain, null);
      }
    } catch {
      /* storage full or refused: the server's own cookies may still work */
    }
  };

  let store = load();

  const apply = (relay: Relay) => {
    for (const copy of relay.cookies) {
      store.c = store.c.filter((c) => c.name !== copy.name);
      if (copy.value !== '' && copy.expires !== 0) store.c.push(copy);
    }
  };

  /**
   * window.pantry: the ids are plain properties, set as soon as an answer is known. The consent
   * state is `consentState`: `consent` is the function that records a decision (SPEC §5).
   */
  const api = {
    visitorId: null as string | null,
    deviceId: null as string | null,
    consentState: null as string | null,
    mode: cfg.m,
    /** The relayed copies kept on this page (for diagnostics and demos). */
    copies: () => store.c.map((c) => ({ ...c })),
  };
  const show = (a: Answer) => {
    api.visitorId = a.visitorId;
    api.deviceId = a.deviceId;
    api.consentState = a.consent;
  };

  const fail = (code: string, message: string): Failure =>
    Object.assign(new Error(message), { code });

  /** The answer's JSON, or null when it is not JSON. */
  const json = (res: Response) => res.json().catch(() => null) as Promise<unknown>;

  const post = async (path: string, body?: unknown, extra?: Record<string, string>) => {
    const headers: Record<string, string> = { ...extra };
    if (store.c.length)
      headers[`${cfg.p}cookie`] = store.c.map((c) => `${c.name}=${c.value}`).join('; ');
    if (body !== undefined) headers['content-type'] = 'application/json';
    const url = `${base}v1/${path}?${cfg.p}apikey=${encodeURIComponent(cfg.k)}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        credentials: 'include',
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      // No answer to read. Cross-origin, the browser hides the answer to a refused origin (no
      // CORS grant) exactly like a network failure: name the likely cause.
      const server = new URL(url, location.href).origin;
      const page = location.origin;
      throw fail(
        'network_error',
        server === page
          ? `Pantry: ${path} failed: ${server} did not answer`
          : `Pantry: ${path} could not read ${server}'s answer: most likely this page's origin ${page} is not in the account's server.cors.allowedOrigins (or ${server} is unreachable)`,
      );
    }
    if (!res.ok) {
      const e = (await json(res)) as { error?: unknown; message?: unknown } | null;
      throw typeof e?.error === 'string' && typeof e.message === 'string'
        ? fail(e.error, e.message)
        : fail(`http_${res.status}`, `Pantry: ${path} answered ${res.status}`);
    }
    return res;
  };

  /** An answer's JSON body, or a Failure when a 2xx came without one (a proxy's page). */
  const read = async <T>(res: Response, path: string): Promise<T> => {
    const answer = await json(res);
    if (answer === null) throw fail('invalid_answer', `Pantry: ${path} answered without JSON`);
    return answer as T;
  };

  const call = async (
    path: string,
    body?: unknown,
    extra?: Record<string, string>,
  ): Promise<Answer> => {
    const res = await post(path, body, extra);
    const relay = res.headers.get(`${cfg.p}set-cookie`);
    if (relay && !product) apply(JSON.parse(relay) as Relay);
    const answer = await read<Answer>(res, path);
    store = { c: store.c, a: answer, t: now(), k: cfg.k };
    save(store);
    show(answer);
    told(answer, path === 'consent');
    return answer;
  };

  // A bridge token arriving in the address (SPEC §10): taken out of the address bar at once
  // (a copied or bookmarked link does not carry it), sent once, with the first identify.
  let bridgeToken: string | null = null;
  try {
    const here = new URL(location.href);
    bridgeToken = here.searchParams.get(BRIDGE_PARAM);
    if (bridgeToken !== null) {
      here.searchParams.delete(BRIDGE_PARAM);
      history.replaceState(history.state, '', here.pathname + here.search + here.hash);
    }
  } catch {
    /* no URL or History API: no bridge */
  }

  const recent = store.a && store.k === cfg.k && store.t !== undefined && now() - store.t < cfg.f;
  // Synchronous ids for SDKs initialised right after the snippet; ready stays the truth.
  if (recent) show(store.a!);
  // PRODUCT_DOMAIN calls on every page load: that call is what refreshes the server's cookies.
  // With a CMP, its answer on this page decides: fresh copies do not skip identify.
  const fresh =
    recent && !product && !cmp && store.c.some((c) => c.expires === null) && !bridgeToken;

  // A bridge token that met consent_required waits in session storage (this tab) for the
  // consent call that grants (SPEC §13); expired ones are dropped.
  const keptName = `${cfg.p}bridge`;
  let kept: { v: string; t: number } | null = null;
  const keep = (token: string | null) => {
    kept = token === null ? null : { v: token, t: now() };
    try {
      if (kept) sessionStorage.setItem(keptName, JSON.stringify(kept));
      else sessionStorage.removeItem(keptName);
    } catch {
      /* no session storage: kept for this page only */
    }
  };
  const keptToken = () => (kept && now() - kept.t < BRIDGE_KEEP_SECONDS ? kept.v : null);
  try {
    kept = JSON.parse(sessionStorage.getItem(keptName) ?? 'null') as typeof kept;
    if (kept && !keptToken()) keep(null);
  } catch {
    kept = null;
  }
  const bridgeHeader = (token: string | null) =>
    token ? { [`${cfg.p}bridge`]: token } : undefined;

  // keep.js, loaded before the SDKs, already did what identify does on this page (SPEC §14): its
  // answer is taken (once) instead of a second call. Only PRODUCT_DOMAIN: the storage modes
  // need identify's relayed copies. A bridge token still needs its identify (a POST).
  const keepName = `${cfg.p}${KEEP_GLOBAL}`;
  const kw = w as unknown as Record<string, { k?: string; a?: Answer } | undefined>;
  const preloaded = product && !bridgeToken && kw[keepName]?.k === cfg.k ? kw[keepName]?.a : null;
  delete kw[keepName];
  if (preloaded) {
    store = { c: store.c, a: preloaded, t: now(), k: cfg.k };
    save(store);
    show(preloaded);
  }

  // Identify, in order: with the CMP's signal in its header (none: the recorded decision
  // answers); the first one carries the bridge token and settles `ready`.
  let sent: Signal | undefined;
  let settle: ((a: Promise<Answer>) => void) | undefined;
  let queue: Promise<unknown> = Promise.resolve();
  const send = (signal: Signal) => {
    sent = signal;
    const token = bridgeToken;
    bridgeToken = null;
    const header =
      signal === null
        ? {}
        : { [cfg.p + (cmp === 'TCF' ? TCF_HEADER : GOOGLE_CONSENT_HEADER)]: signal };
    const answer = queue.then(() =>
      call('identify', undefined, { ...header, ...bridgeHeader(token) }).then((a) => {
        if (token) keep(a.bridge === 'consent_required' ? token : null);
        return a;
      }),
    );
    queue = answer.catch(() => undefined);
    settle?.(answer);
    settle = undefined;
  };

  const ready: Promise<Answer> = preloaded
    ? Promise.resolve(preloaded)
    : fresh
      ? Promise.resolve(store.a!)
      : new Promise((resolve) => (settle = resolve));
  ready.catch(() => undefined); // errors stay with whoever awaits ready, never unhandled

  // Google Consent Mode (SPEC §15): the dataLayer's commands for cfg.g, those already there and
  // later ones (push wrapped, the original called first); with cfg.u, Pantry's decision is
  // published as an update (after the answer is shown: the snippet's own update names the state
  // Pantry answered, so it never identifies again).
  let said: string | undefined; // the dataLayer's last word on cfg.g: granted or denied
  let told = (_a: Answer, _force: boolean) => {};
  if (cfg.g) {
    const type = cfg.g;
    try {
      const dl = (w.dataLayer = w.dataLayer || []);
      const start = gcmStart(dl, type);
      said = gcmState(start);
      const push = dl.push;
      dl.push = function (...items: unknown[]) {
        try {
          return push.apply(dl, items);
        } finally {
          for (const item of items) {
            const command = gcmCommand(item, type);
            if (!command) continue;
            // An update overrides; a default only where nothing was said.
            const update = command[0] === 'u';
            if (update || said === undefined) said = gcmState(command);
            if (cmp !== 'GOOGLE_CONSENT_MODE' || !update || command === sent) continue;
            if (gcmChanges(command, api.consentState)) send(command);
          }
        }
      };
      told = (a, force) => {
        if (!cfg.u || a.consent === 'unset' || (!force && a.consent === said)) return;
        try {
          const args = ['consent', 'update', { [type]: a.consent }];
          // gtag's own queue entries are Arguments objects (what gtag.js reads), not arrays.
          const gtag =
            typeof w.gtag === 'function'
              ? w.gtag
              : function (..._: unknown[]) {
                  // eslint-disable-next-line prefer-rest-params
                  dl.push(arguments);
                };
          gtag(...args);
        } catch {
          /* the page's gtag threw: its business */
        }
        said = a.consent;
      };
      if (cmp === 'GOOGLE_CONSENT_MODE') {
        // keep.js's answer stands unless the page's signal says otherwise.
        if (!preloaded || gcmChanges(start, preloaded.consent)) send(start);
      }
    } catch {
      /* a dataLayer that is no array: no Consent Mode */
      if (cmp === 'GOOGLE_CONSENT_MODE' && sent === undefined && !preloaded) send(null);
    }
  }
  if (preloaded ?? (fresh && store.a)) told((preloaded ?? store.a)!, false);

  // IAB TCF (SPEC §15): subscribe once __tcfapi is there (the IAB stub usually is; else look
  // every 50 ms); the CMP's answers identify. A CMP that never answers within 10 s, or throws:
  // identify without the header. keep.js's answer already read the euconsent-v2 cookie.
  if (cmp === 'TCF') {
    if (preloaded) sent = readCookie(TCF_COOKIE);
    const listen = (data: unknown, ok: unknown) => {
      const signal = tcfSignal(data, ok, sent);
      if (signal !== undefined) send(signal);
    };
    let tries = 0;
    const find = () => {
      const tcfapi = w.__tcfapi;
      if (typeof tcfapi !== 'function') {
        if (++tries < 200) setTimeout(find, 50);
        return;
      }
      try {
        tcfapi('addEventListener', 2, listen);
      } catch {
        if (sent === undefined) send(null);
      }
    };
    find();
    setTimeout(() => sent === undefined && send(null), 10_000);
  } else if (!cmp && !preloaded && !fresh) {
    send(null);
  }

  /** A URL on one of the account's bridge targets, decorated with a one-time token. */
  const bridge = async (url: string): Promise<string> =>
    (await read<{ url: string }>(await post('bridge', { to: url }), 'bridge')).url;

  // Link decoration: a click on a link to a target fetches a token and follows the decorated
  // link, or the plain one when Pantry has not answered within 300 ms. New-tab clicks (modifier
  // keys, middle button, target), downloads and clicks a page handled itself are left alone.
  const targets = cfg.t ?? [];
  const isTarget = (href: string) => {
    let origin: string;
    try {
      origin = new URL(href).origin.toLowerCase();
    } catch {
      return false;
    }
    return targets.some((t) => {
      const [head, tail] = t.split('*');
      return tail === undefined
        ? origin === t
        : origin.length > head.length + tail.length &&
            origin.startsWith(head) &&
            origin.endsWith(tail);
    });
  };
  if (targets.length) {
    doc.addEventListener('click', (e) => {
      const a = (e.target as Element | null)?.closest?.('a[href]') as HTMLAnchorElement | null;
      if (
        !a ||
        e.defaultPrevented ||
        e.button !== 0 ||
        e.metaKey ||
        e.ctrlKey ||
        e.shiftKey ||
        e.altKey ||
        a.hasAttribute('download') ||
        (a.target && a.target !== '_self') ||
        !isTarget(a.href)
      ) {
        return;
      }
      e.preventDefault();
      let gone = false;
      const go = (url: string) => {
        if (gone) return;
        gone = true;
        location.href = url;
      };
      setTimeout(() => go(a.href), 300);
      bridge(a.href).then(go, () => go(a.href));
    });
  }

  const functions = {
    /** A grant carries the kept bridge token: the identity arrives with the visitor's yes. */
    consent: (granted: boolean) =>
      ready
        .catch(() => undefined)
        .then(() => {
          const token = granted ? keptToken() : null;
          return call('consent', { granted: !!granted }, bridgeHeader(token)).then((a) => {
            if (token && a.bridge !== 'consent_required') keep(null);
            return a;
          });
        }),
    bridge,
    /** Login with an assertion the site's backend signed (SPEC §11): a Promise of the answer. */
    login: (assertion: string) =>
      ready.catch(() => undefined).then(() => call('login', { assertion })),
    logout: () => ready.catch(() => undefined).then(() => call('logout')),
  } satisfies Record<PantryFunction, (...args: never[]) => Promise<unknown>>;
  w.pantry = Object.assign(api, { ready }, functions);
})();
