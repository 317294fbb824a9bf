/**
 * Parses an `Origin` header into `scheme://host[:port]` (lower case, default port dropped),
 * or null when it is not an http(s) origin (`null`, junk, paths).
 */
export function normalizeOrigin(raw: string | undefined): string | null {
  if (!raw || raw.length > 300) return null;
  const m = /^(https?):\/\/([a-z0-9.-]+|\[[0-9a-f:.]+\])(?::(\d{1,5}))?$/i.exec(raw.trim());
  if (!m) return null;
  const scheme = m[1].toLowerCase();
  const host = m[2].toLowerCase();
  const port = m[3] === undefined ? undefined : Number(m[3]);
  if (port !== undefined && (port < 1 || port > 65535)) return null;
  const defaultPort = scheme === 'https' ? 443 : 80;
  return `${scheme}://${host}${port !== undefined && port !== defaultPort ? `:${port}` : ''}`;
}

/** The host of a normalised origin (`https://[::1]:8443` → `::1`). */
export function originHost(origin: string): string {
  const rest = origin.slice(origin.indexOf('//') + 2);
  if (rest.startsWith('[')) return rest.slice(1, rest.indexOf(']'));
  const colon = rest.lastIndexOf(':');
  return colon >= 0 ? rest.slice(0, colon) : rest;
}

interface Wildcard {
  readonly prefix: string; // "https://"
  readonly suffix: string; // ".example.com" or ".example.com:8443"
}

/**
 * Exact-origin allowlist compiled once per configuration: exact entries in a set, and
 * `https://*.example.com` entries matching any subdomain (not the bare domain), same scheme
 * and port.
 */
export class OriginMatcher {
  private readonly exact: ReadonlySet<string>;
  private readonly wildcards: readonly Wildcard[];

  constructor(allowed: readonly string[]) {
    this.exact = new Set(allowed.filter((o) => !o.includes('*')));
    this.wildcards = allowed
      .filter((o) => o.includes('://*.'))
      .map((o) => {
        const [scheme, rest] = o.split('://*');
        return { prefix: `${scheme}://`, suffix: rest };
      });
  }

  get empty(): boolean {
    return this.exact.size === 0 && this.wildcards.length === 0;
  }

  /** `origin` must already be normalised (normalizeOrigin). */
  allows(origin: string): boolean {
    if (this.exact.has(origin)) return true;
    for (const w of this.wildcards) {
      if (!origin.startsWith(w.prefix) || !origin.endsWith(w.suffix)) continue;
      const sub = origin.slice(w.prefix.length, origin.length - w.suffix.length);
      if (/^[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(sub)) return true;
    }
    return false;
  }
}
