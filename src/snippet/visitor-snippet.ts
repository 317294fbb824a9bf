/*
 * Pantry's visitor snippet. Loaded with
 *   <script src="https://SERVER/unblu/visitor.js?x-unblu-apikey=KEY" defer></script>
 * it calls identify at most once per page load (not at all while its copies are fresh), keeps
 * the relayed cookie copies where the account's corsCookieMode says, echoes them back, and
 * exposes window.pantry. It never throws into the host page.
 */
import type { RelayCookie, RelayPayload } from '../cookies/relay-header';
import type { IdentifyResult } from '../visitor/visitor.service';
import type { SnippetConfig } from './snippet-config';

declare const __PANTRY_CONFIG__: SnippetConfig;

/** The query parameter of a bridged link (the server's BRIDGE_PARAM). */
const BRIDGE_PARAM = 'pantry_bridge';

// The wire formats are the server's own types (type-only imports: nothing of the server is bundled).
type Copy = RelayCookie;
type Relay = RelayPayload;
type Answer = IdentifyResult;
/** What the snippet keeps: the copies, the last answer, when it was fetched, for which key. */
interface Store {
  c: Copy[];
  a?: Answer;
  t?: number;
  k?: string;
}

(() => {
  const cfg = __PANTRY_CONFIG__;
  const w = window as Window & { pantry?: unknown };
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

  const post = async (path: string, body?: unknown, extra?: Record<string, string>) => {
    const headers: Record<string, string> = { ...extra };
    if (store.c.length)
      headers[`${cfg.p}cookie`] = store.c.map((c) => `${c.name}=${c.value}`).join('; ');
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${base}v1/${path}?${cfg.p}apikey=${encodeURIComponent(cfg.k)}`, {
      method: 'POST',
      credentials: 'include',
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`Pantry: ${path} answered ${res.status}`);
    return res;
  };

  const call = async (
    path: string,
    body?: unknown,
    extra?: Record<string, string>,
  ): Promise<Answer> => {
    const res = await post(path, body, extra);
    const relay = res.headers.get(`${cfg.p}set-cookie`);
    if (relay && !product) apply(JSON.parse(relay) as Relay);
    const answer = (await res.json()) as Answer;
    store = { c: store.c, a: answer, t: now(), k: cfg.k };
    save(store);
    show(answer);
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
  const fresh = recent && !product && store.c.some((c) => c.expires === null) && !bridgeToken;

  const ready: Promise<Answer> = fresh
    ? Promise.resolve(store.a!)
    : call('identify', undefined, bridgeToken ? { [`${cfg.p}bridge`]: bridgeToken } : undefined);
  ready.catch(() => undefined); // errors stay with whoever awaits ready, never unhandled

  /** A URL on one of the account's bridge targets, decorated with a one-time token. */
  const bridge = async (url: string): Promise<string> => {
    const res = await post('bridge', { to: url });
    return ((await res.json()) as { url: string }).url;
  };

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

  w.pantry = Object.assign(api, {
    ready,
    consent: (granted: boolean) =>
      ready.catch(() => undefined).then(() => call('consent', { granted: !!granted })),
    bridge,
    /** Login with an assertion the site's backend signed (SPEC §11): a Promise of the answer. */
    login: (assertion: string) =>
      ready.catch(() => undefined).then(() => call('login', { assertion })),
    logout: () => ready.catch(() => undefined).then(() => call('logout')),
  });
})();
