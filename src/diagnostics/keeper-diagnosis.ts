import type { CorsCookieMode } from '../properties/property-catalog';
import { KeeperSetting, keeperSettingId } from '../vocabulary/keeper';
import { Durability, onDocuments } from './durability';

/** What the cookie keeper does for a page (SPEC §14), in the durability diagnosis. */
export interface KeeperDiagnosis {
  /** `keeper.cookies`, as configured (`ga`, …, `cookie:<name>`). */
  readonly cookies: readonly string[];
  /** Whether Pantry's answers set the page's cookies here, so that it keeps any. */
  readonly keeps: boolean;
  readonly message: string;
}

/**
 * Whether the keeper keeps anything for this deployment: only where Pantry answers same-site
 * with the page (same-origin path, subdomain, document, edge) and in PRODUCT_DOMAIN; the storage
 * modes and a server on another site keep nothing, though `keeper.cookies` is accepted. Pure.
 */
export function diagnoseKeeper(
  settings: readonly KeeperSetting[],
  corsCookieMode: CorsCookieMode,
  durability: Pick<Durability, 'mode' | 'lifetimeDays'>,
): KeeperDiagnosis {
  const cookies = settings.map(keeperSettingId);
  if (cookies.length === 0) {
    return { cookies, keeps: false, message: 'keeper.cookies is empty: no analytics id is kept.' };
  }
  const nothing = (why: string): KeeperDiagnosis => ({
    cookies,
    keeps: false,
    message: `keeper.cookies is set, but the keeper keeps nothing here: ${why} Serve Pantry same-site with the page (under its own origin, on a subdomain, or in document or edge mode) with server.cors.corsCookieMode=PRODUCT_DOMAIN.`,
  });
  if (corsCookieMode !== 'PRODUCT_DOMAIN') {
    return nothing(
      `server.cors.corsCookieMode=${corsCookieMode} answers the page cross-site by design, so Pantry's Set-Cookie cannot restore the page's own cookies.`,
    );
  }
  if (durability.mode === 'cross-site') {
    return nothing(
      "Pantry's server is on another site than the page: its Set-Cookie lines cannot set the page's cookies.",
    );
  }
  const lasting =
    durability.lifetimeDays === null
      ? 'for as long as the browser keeps cookies from this server'
      : `as long as Pantry's own cookies last here (${durability.lifetimeDays} days)`;
  return {
    cookies,
    keeps: true,
    // In document and edge mode the page's own response sets them, before any script runs.
    message: onDocuments(durability.mode)
      ? `The keeper learns and restores ${cookies.join(', ')} by Set-Cookie on each page's own response (${durability.mode} mode), ${lasting}; the SDKs start on the restored id, no keep.js needed.`
      : `The keeper learns and restores ${cookies.join(', ')} by Set-Cookie on identify, keep.js and document pages, ${lasting}; load keep.js before the SDKs so they start on the restored id.`,
  };
}
