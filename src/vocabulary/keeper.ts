/**
 * The cookie keeper's adapters (SPEC §14): the analytics and personalisation SDKs whose own id
 * cookie Pantry keeps server-side and puts back. The catalog parses `keeper.cookies` into these
 * settings; src/keeper/keeper-adapters.ts knows each SDK's cookie names and value formats.
 */
export const KEEPER_ADAPTERS = [
  'ga',
  'segment',
  'rudderstack',
  'posthog',
  'snowplow',
  'matomo',
  'treasuredata',
  'bloomreach',
] as const;

export type KeeperAdapterName = (typeof KEEPER_ADAPTERS)[number];

/** One entry of `keeper.cookies`: an SDK's adapter, or `cookie:<name>`, any other id cookie. */
export type KeeperSetting =
  { readonly adapter: KeeperAdapterName } | { readonly adapter: 'cookie'; readonly name: string };

export function isKeeperAdapter(value: string): value is KeeperAdapterName {
  return (KEEPER_ADAPTERS as readonly string[]).includes(value);
}

/** How a setting is named in `keeper.cookies`, in metrics and in the admin view. */
export function keeperSettingId(setting: KeeperSetting): string {
  return setting.adapter === 'cookie' ? `cookie:${setting.name}` : setting.adapter;
}

/** The id cookies each adapter keeps, by name (SPEC §14). */
const KEPT_NAMES: Readonly<Record<KeeperAdapterName, RegExp>> = {
  ga: /^_ga$/,
  segment: /^ajs_anonymous_id$/,
  rudderstack: /^rl_anonymous_id$/,
  posthog: /^ph_[A-Za-z0-9_-]{1,100}_posthog$/,
  snowplow: /^_sp_id\.[0-9a-f]{4}$/,
  matomo: /^_pk_id\.\d{1,10}\.[0-9a-f]{4}$/,
  treasuredata: /^_td$/,
  bloomreach: /^__exponea_etc__$/,
};

/** Whether a setting keeps the cookie of this name. */
export function keepsCookieName(setting: KeeperSetting, name: string): boolean {
  return setting.adapter === 'cookie'
    ? setting.name === name
    : KEPT_NAMES[setting.adapter].test(name);
}
