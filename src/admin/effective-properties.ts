import { Account } from '../tenants/tenant-snapshot';
import { COOKIE_LIFETIME, MAX_AGE_CAP_SECONDS } from '../cookies/cookie-plan';
import { PropertySourceKind, ResolvedProperties } from '../properties/configuration';
import { PROPERTY_CATALOG, PropertyKey, PropertyScope } from '../properties/property-catalog';

export interface PropertyView {
  readonly key: PropertyKey;
  readonly value: string;
  readonly source: PropertySourceKind;
  readonly scope: PropertyScope;
  readonly effectiveValue?: string;
  readonly note?: string;
}

const LIFETIME_KEYS = new Set<string>(
  Object.values(COOKIE_LIFETIME).filter((k): k is PropertyKey => k !== null),
);

/**
 * The admin view of an account's properties: every catalog key with its value as written and
 * where it comes from; secrets redacted; lifetimes above the browsers' 400-day cap flagged.
 */
export function effectiveProperties(
  resolved: ResolvedProperties,
  account: Account,
  adminTokenFromEnvironment: boolean,
): PropertyView[] {
  return PROPERTY_CATALOG.map((entry): PropertyView => {
    const origin = resolved.origins[entry.key];
    let value = origin.raw;
    let source = origin.source;
    if (entry.key === 'account.name') {
      value = account.name;
      if (account.source === 'api') source = 'api';
    } else if (entry.key === 'account.apiKeys') {
      value = account.apiKeys.map((k) => k.key).join(',');
      if (account.apiKeys.some((k) => k.source === 'api')) source = 'api';
    } else if (entry.key === 'admin.token' && adminTokenFromEnvironment) {
      value = '(redacted: PANTRY_ADMIN_TOKEN)';
    } else if (entry.secret) {
      value = source === 'default' ? '(generated)' : '(redacted)';
    }
    const view: PropertyView = { key: entry.key, value, source, scope: entry.scope };
    const mode = resolved.values['server.cors.corsCookieMode'];
    if (entry.key === 'keeper.cookies' && value.trim() !== '' && mode !== 'PRODUCT_DOMAIN') {
      return {
        ...view,
        note: `keeps nothing: server.cors.corsCookieMode=${mode} answers the page cross-site (the keeper works where Pantry answers same-site, in PRODUCT_DOMAIN; see the diagnosis)`,
      };
    }
    if (LIFETIME_KEYS.has(entry.key) && Number(value) > MAX_AGE_CAP_SECONDS) {
      return {
        ...view,
        effectiveValue: String(MAX_AGE_CAP_SECONDS),
        note: 'browsers cap cookie lifetimes at 400 days; Pantry sends Max-Age=34560000',
      };
    }
    return view;
  });
}
