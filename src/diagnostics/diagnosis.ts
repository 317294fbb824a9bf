import { ErrorCode, PantryError } from '../common/errors';
import type { PropertyValues } from '../properties/property-catalog';
import { Durability, diagnoseDurability } from './durability';
import type { HostResolver } from './host-resolver';
import { diagnoseKeeper, KeeperDiagnosis } from './keeper-diagnosis';

/** The diagnostics answer (SPEC §8). */
export interface Diagnosis extends Durability {
  readonly account: string;
  readonly page: string;
  readonly server: string;
  readonly corsCookieMode: string;
  readonly addresses: { readonly page: readonly string[]; readonly server: readonly string[] };
  /** The cookie keeper (SPEC §14): whether it keeps anything for this page. */
  readonly keeper: KeeperDiagnosis;
}

/** An http(s) URL a person typed, or a 400 naming the parameter. */
function parseDiagnosisUrl(name: string, raw: unknown): URL {
  const text = typeof raw === 'string' ? raw.trim() : '';
  let url: URL | null = null;
  try {
    url = text.length > 0 && text.length <= 2000 ? new URL(text) : null;
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname) {
    throw new PantryError(
      ErrorCode.InvalidUrl,
      `${name} must be an http(s) URL such as https://www.shop.com/ (got ${JSON.stringify(text.slice(0, 80))})`,
    );
  }
  return url;
}

/**
 * Diagnoses how long an account's identity cookies last for a visitor on `page` when Pantry
 * is reached at `server` (default: the page's own origin). Shared by the admin route and
 * `npm run doctor`.
 */
export async function diagnose(
  resolver: HostResolver,
  accountId: string,
  properties: Pick<
    PropertyValues,
    'server.cors.corsCookieMode' | 'proxy.hosts' | 'proxy.upstream' | 'keeper.cookies'
  >,
  pageRaw: unknown,
  serverRaw: unknown,
): Promise<Diagnosis> {
  const page = parseDiagnosisUrl('page', pageRaw);
  const server =
    serverRaw === undefined || serverRaw === ''
      ? new URL(page.origin)
      : parseDiagnosisUrl('server', serverRaw);
  const [pageHost, serverHost] = await Promise.all([
    resolver.resolve(page.hostname),
    resolver.resolve(server.hostname),
  ]);
  const corsCookieMode = properties['server.cors.corsCookieMode'];
  const durability = diagnoseDurability({
    page,
    server,
    corsCookieMode,
    proxied: properties['proxy.hosts'].includes(page.hostname)
      ? properties['proxy.upstream']
        ? 'document'
        : 'edge'
      : null,
    pageHost,
    serverHost,
  });
  return {
    account: accountId,
    page: page.href,
    server: server.origin,
    ...durability,
    corsCookieMode,
    addresses: { page: pageHost.addresses, server: serverHost.addresses },
    keeper: diagnoseKeeper(properties['keeper.cookies'], corsCookieMode, durability),
  };
}
