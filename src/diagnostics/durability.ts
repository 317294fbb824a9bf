import { isIP } from 'node:net';
import { registrableDomain } from '../cookies/cookie-domain';
import type { CorsCookieMode } from '../properties/property-catalog';

/** A host as DNS answered for it: the CNAME chain followed, then its addresses. */
export interface ResolvedHost {
  readonly host: string;
  /** CNAME targets in order (empty for an IP literal or a host with A/AAAA records). */
  readonly cnames: readonly string[];
  readonly addresses: readonly string[];
  /** DNS gave no address. */
  readonly failed: boolean;
}

export type Deployment = 'same-origin' | 'document' | 'edge' | 'subdomain' | 'cross-site';

/** The deployments where each document's own response gets Pantry's cookies: document and edge mode. */
export type DocumentDeployment = Extract<Deployment, 'document' | 'edge'>;

export const onDocuments = (mode: Deployment): mode is DocumentDeployment =>
  mode === 'document' || mode === 'edge';

export interface DurabilityInput {
  readonly page: URL;
  readonly server: URL;
  readonly corsCookieMode: CorsCookieMode;
  /**
   * How the page's host reaches Pantry when it is in the account's `proxy.hosts`: through
   * Pantry itself (document mode, `proxy.upstream` set) or through the site's own proxy (edge
   * mode, no upstream); null when it is not one of those hosts.
   */
  readonly proxied: DocumentDeployment | null;
  readonly pageHost: ResolvedHost;
  readonly serverHost: ResolvedHost;
}

interface Reason {
  readonly code:
    'script_storage' | 'third_party' | 'dns_failed' | 'cname_cloaking' | 'ip_mismatch' | 'durable';
  readonly message: string;
}

export interface Durability {
  readonly mode: Deployment;
  readonly lifetimeDays: 400 | 7 | null;
  readonly verdict: 'durable' | 'capped' | 'unknown';
  readonly reasons: Reason[];
}

const site = (host: string) => registrableDomain(host) ?? host;

/** The leading `bits` of an address, as a comparable string; null when not that family. */
export function addressPrefix(address: string, family: 4 | 6): string | null {
  if (isIP(address) !== family) return null;
  if (family === 4) return address.split('.').slice(0, 2).join('.');
  return expandIpv6(address).slice(0, 4).join(':');
}

function expandIpv6(address: string): string[] {
  const [head, tail = ''] = address.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  // An embedded IPv4 tail (::ffff:1.2.3.4) counts as two groups.
  const groups = (parts: string[]) =>
    parts.flatMap((p) => {
      if (!p.includes('.')) return [p];
      const [a, b, c, d] = p.split('.').map(Number);
      return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
    });
  const l = groups(left);
  const r = groups(right);
  const fill: string[] = address.includes('::')
    ? new Array<string>(8 - l.length - r.length).fill('0')
    : [];
  return [...l, ...fill, ...r].map((g) => g.replace(/^0+(?=.)/, ''));
}

/** Whether some page address shares its /16 (IPv4) or /64 (IPv6) with some server address. */
export function sharesAddressSpace(page: readonly string[], server: readonly string[]): boolean {
  for (const family of [4, 6] as const) {
    const prefixes = new Set(page.map((a) => addressPrefix(a, family)).filter((p) => p !== null));
    if (server.some((a) => prefixes.has(addressPrefix(a, family) ?? '\u0000'))) return true;
  }
  return false;
}

function deployment(input: DurabilityInput): Deployment {
  if (input.page.origin === input.server.origin) return input.proxied ?? 'same-origin';
  return site(input.page.hostname) === site(input.server.hostname) ? 'subdomain' : 'cross-site';
}

/**
 * How long Safari keeps the account's identity cookies for a visitor on `page` when Pantry is
 * reached at `server` (SPEC §8), from resolved addresses; pure. The rules, in order: script
 * storage → 7 days; a server on another registrable domain → third-party, blocked; a server
 * host that is a CNAME into another site → 7; no shared /16 or /64 → 7; else 400.
 */
export function diagnoseDurability(input: DurabilityInput): Durability {
  const mode = deployment(input);
  const pageHost = input.page.hostname.replace(/^\[|\]$/g, '');
  const serverHost = input.server.hostname.replace(/^\[|\]$/g, '');
  const pageSite = site(pageHost);
  const crossSite = mode === 'cross-site';
  const capped = (code: Reason['code'], message: string): Durability => ({
    mode,
    lifetimeDays: 7,
    verdict: 'capped',
    reasons: [{ code, message }],
  });

  if (
    input.corsCookieMode === 'LOCAL_STORAGE' ||
    (input.corsCookieMode === 'LOCAL_DOMAIN_STORAGE' && crossSite)
  ) {
    return capped(
      'script_storage',
      `server.cors.corsCookieMode=${input.corsCookieMode} keeps the identity in script storage, which Safari purges or caps at 7 days. Serve Pantry under the site's own origin (e.g. ${input.page.origin}/pantry/) or on a subdomain of ${pageSite} and use PRODUCT_DOMAIN.`,
    );
  }
  if (crossSite) {
    return {
      mode,
      lifetimeDays: null,
      verdict: 'capped',
      reasons: [
        {
          code: 'third_party',
          message: `${serverHost} is not on ${pageSite}: its cookies are third-party there, blocked by Safari and Firefox and by Chrome when third-party cookies are off. Serve Pantry under ${input.page.origin}/pantry/ or on a subdomain such as cookies.${pageSite}.`,
        },
      ],
    };
  }
  const unresolved = [input.pageHost, input.serverHost].filter((h) => h.failed);
  if (unresolved.length > 0) {
    return {
      mode,
      lifetimeDays: null,
      verdict: 'unknown',
      reasons: [
        {
          code: 'dns_failed',
          message: `DNS gave no address for ${unresolved.map((h) => h.host).join(' and ')}; check the names, or diagnose with IP literals.`,
        },
      ],
    };
  }
  // The page's own host may be a CNAME to its CDN: only a server host cloaked into a site the
  // page itself is not served from counts.
  const pageCnameSites = new Set(input.pageHost.cnames.map(site));
  const foreign =
    serverHost === pageHost
      ? undefined
      : input.serverHost.cnames.find(
          (target) => site(target) !== pageSite && !pageCnameSites.has(site(target)),
        );
  if (foreign !== undefined) {
    return capped(
      'cname_cloaking',
      `${serverHost} is a CNAME to ${foreign}, another site: Safari caps cookies set through it at 7 days. Give ${serverHost} A/AAAA records in the site's own address space (or delegate it with NS), never a CNAME to a foreign host.`,
    );
  }
  if (!sharesAddressSpace(input.pageHost.addresses, input.serverHost.addresses)) {
    return capped(
      'ip_mismatch',
      `${serverHost} (${input.serverHost.addresses.join(', ')}) shares no /16 (IPv4) or /64 (IPv6) with ${pageHost} (${input.pageHost.addresses.join(', ')}): Safari caps its cookies at 7 days. Serve Pantry under the site's own origin at /pantry, or give ${serverHost} an address in the same /16 as ${pageHost}.`,
    );
  }
  return {
    mode,
    lifetimeDays: 400,
    verdict: 'durable',
    reasons: [
      {
        code: 'durable',
        message:
          mode === 'same-origin' || onDocuments(mode)
            ? `Cookies are set by ${input.page.origin} itself: server-set, first-party, from the page's own address; browsers keep them 400 days.`
            : `${serverHost} is on ${pageSite}, no CNAME to another site, and shares the page's address space: its server-set cookies live 400 days.`,
      },
    ],
  };
}
