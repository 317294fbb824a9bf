import { getDomain, parse as parseHost } from 'tldts';
import { CookieDomainSetting, isHostName } from '../properties/property-values';

const PSL = { allowPrivateDomains: true } as const;

/**
 * Normalises a host from a `Host`/`Origin`-style header: lower case, no port, no brackets,
 * no trailing dot. Returns null for anything that is not a DNS name or an IP address.
 */
export function normalizeHost(raw: string | undefined | null): string | null {
  if (!raw || raw.length > 260) return null;
  let host = raw.trim().toLowerCase();
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    if (end < 0) return null;
    host = host.slice(1, end);
    return parseHost(host).isIp ? host : null;
  }
  const colon = host.indexOf(':');
  if (colon >= 0) {
    if (!/^\d{1,5}$/.test(host.slice(colon + 1))) return null;
    host = host.slice(0, colon);
  }
  host = host.replace(/\.$/, '');
  if (host === '') return null;
  return isHostName(host) || parseHost(host).isIp ? host : null;
}

/** True when `host` is `domain` or a subdomain of it. */
function isHostUnder(host: string, domain: string): boolean {
  return host === domain || host.endsWith(`.${domain}`);
}

/** The registrable domain ("site") of a host by the Public Suffix List; null for IPs and single labels. */
export function registrableDomain(host: string): string | null {
  if (parseHost(host).isIp) return null;
  return getDomain(host, PSL);
}

/**
 * The domain a setting yields for a context host (SPEC §3 Domain): empty → none; AUTO → the
 * registrable domain of the host (none for an IP or a single-label host); fixed → that domain
 * when the host is it or below it, else none.
 */
export function resolveDomain(
  setting: CookieDomainSetting,
  contextHost: string | null,
): string | null {
  if (!contextHost) return null;
  switch (setting.mode) {
    case 'none':
      return null;
    case 'auto':
      return registrableDomain(contextHost);
    case 'fixed':
      return isHostUnder(contextHost, setting.domain) ? setting.domain : null;
  }
}

interface DomainInput {
  /** `identifier.cookieDomain`, or the cluster universe domain in cluster mode. */
  readonly setting: CookieDomainSetting;
  /** `identifier.visitorClientCookieDomain`; mode none means "as setting". */
  readonly clientSetting: CookieDomainSetting;
  /** The allowed Origin's host, else the server host. */
  readonly contextHost: string | null;
  /** The server's own host (Host, or X-Forwarded-Host behind a trusted proxy). */
  readonly serverHost: string | null;
}

export interface CookieDomains {
  /** Domain attribute of `Set-Cookie`, or null for a host-only cookie. */
  readonly setCookie: string | null;
  /** Domain of the relayed copies on the page, or null for host-only copies. */
  readonly relay: string | null;
}

/**
 * `Set-Cookie` carries the resolved domain only when the server host is under it (a browser
 * rejects anything else); relayed copies get the domain resolved for the page.
 */
export function resolveCookieDomains(input: DomainInput): CookieDomains {
  const domain = resolveDomain(input.setting, input.contextHost);
  const setCookie =
    domain && input.serverHost && isHostUnder(input.serverHost, domain) ? domain : null;
  const relaySetting = input.clientSetting.mode === 'none' ? input.setting : input.clientSetting;
  return { setCookie, relay: resolveDomain(relaySetting, input.contextHost) };
}
