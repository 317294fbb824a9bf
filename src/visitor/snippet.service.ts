import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { TenantSnapshot } from '../tenants/tenant-snapshot';
import { TenantService } from '../tenants/tenant.service';
import { SNIPPET_CONFIG_PLACEHOLDER, SnippetConfig } from '../snippet/snippet-config';
import { loadSnippetBundle } from '../snippet/snippet.bundle';
import { snippetStandIn } from '../snippet/snippet-stand-in';
import type { PantryError } from '../common/errors';
import { VisitorAccount } from '../tenants/tenant.service';
import type { VisitorResponse } from './visitor.responder';
import type { PropertyValues } from '../properties/property-catalog';

interface Rendered {
  readonly body: string;
  readonly etag: string;
}

/** Browsers and CDNs may keep the snippet this long before revalidating with the ETag. */
const MAX_AGE_SECONDS = 300;
/** What every answer with a script says: its type, no sniffing, loadable from any site. */
const SCRIPT_HEADERS = {
  'content-type': 'text/javascript; charset=utf-8',
  'x-content-type-options': 'nosniff',
  'cross-origin-resource-policy': 'cross-origin',
} as const;
/** Rendered snippets kept (per API key and public base). */
const MAX_CACHED = 10_000;

/**
 * Serves the bundled snippet with an account's settings baked in, rendered once per API key
 * and public base, and per tenant snapshot: the memo belongs to the snapshot it was computed
 * from, so a settings change is served as soon as the new snapshot is in force.
 */
@Injectable()
export class SnippetService {
  private readonly bundle = loadSnippetBundle();
  private readonly rendered = new WeakMap<TenantSnapshot, Map<string, Rendered>>();

  constructor(private readonly tenants: TenantService) {}

  private render(account: VisitorAccount, base: string | null): Rendered {
    const snapshot = this.tenants.current;
    let cache = this.rendered.get(snapshot);
    if (!cache) {
      cache = new Map();
      this.rendered.set(snapshot, cache);
    }
    const key = `${account.apiKey}\u0000${base ?? ''}`;
    const cached = cache.get(key);
    if (cached) return cached;
    const props = snapshot.propertiesOf(account.accountId).values;
    const targets = props['bridge.decorateLinks'] ? props['bridge.targets'] : [];
    const config: SnippetConfig = {
      k: account.apiKey,
      m: account.plan.mode,
      p: this.tenants.serverPrefix,
      f: props['snippet.refreshSeconds'],
      ...(base ? { b: base } : {}),
      ...(targets.length ? { t: targets } : {}),
      ...consentConfig(props),
    };
    const json = JSON.stringify(config).replace(/</g, '\\u003c');
    const body = this.bundle.replace(SNIPPET_CONFIG_PLACEHOLDER, () => json);
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
    const rendered = { body, etag };
    // Bounded: bases come from request headers.
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(key, rendered);
    return rendered;
  }

  /**
   * The stand-in for a request without an account (missing or unknown key): 200 JavaScript,
   * never cached, so that a page embedding it keeps its `window.pantry` and reads Pantry's
   * error there instead of a blocked 401 (SPEC §13).
   */
  standIn(refusal: PantryError): VisitorResponse<string> {
    return {
      status: 200,
      headers: {
        'cache-control': 'no-store',
        ...SCRIPT_HEADERS,
      },
      body: snippetStandIn(refusal.code, refusal.message),
      // A refusal though answered 200: the access log writes it at `errors`.
      outcome: refusal.code,
    };
  }

  /**
   * 200 with the script, or 304 when the client's copy is current. `base`: the public base
   * URL a trusted proxy announced (publicBase), baked in so the snippet calls the right path.
   */
  serve(
    account: VisitorAccount,
    ifNoneMatch: string | undefined,
    base: string | null,
  ): VisitorResponse<string> {
    const { body, etag } = this.render(account, base);
    const headers = {
      etag,
      'cache-control': `public, max-age=${MAX_AGE_SECONDS}`,
      ...SCRIPT_HEADERS,
    };
    const matches = ifNoneMatch?.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
    return matches ? { status: 304, headers } : { status: 200, headers, body };
  }
}

/** The snippet's CMP settings (SPEC §15): nothing for an account whose consent is Pantry's own. */
function consentConfig(props: PropertyValues): Pick<SnippetConfig, 'c' | 'g' | 'u'> {
  const source = props['consent.source'];
  const publish = props['consent.publishGoogleConsentMode'];
  return {
    ...(source !== 'PANTRY' ? { c: source } : {}),
    ...(source === 'GOOGLE_CONSENT_MODE' || publish
      ? { g: props['consent.googleConsentType'] }
      : {}),
    ...(publish ? { u: 1 as const } : {}),
  };
}
