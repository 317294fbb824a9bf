import type { CorsCookieMode } from '../properties/property-catalog';
import type { KeeperSetting } from '../vocabulary/keeper';
import type { Deployment } from './durability';
import { diagnoseKeeper } from './keeper-diagnosis';

const SETTINGS: KeeperSetting[] = [{ adapter: 'ga' }, { adapter: 'cookie', name: 'uid' }];

describe(diagnoseKeeper.name, () => {
  it.each<[string, KeeperSetting[], CorsCookieMode, Deployment, boolean, RegExp]>([
    ['nothing configured', [], 'PRODUCT_DOMAIN', 'same-origin', false, /keeper\.cookies is empty/],
    [
      'same-origin path',
      SETTINGS,
      'PRODUCT_DOMAIN',
      'same-origin',
      true,
      /restores ga, cookie:uid .*400 days\); load keep\.js before the SDKs/,
    ],
    ['subdomain', SETTINGS, 'PRODUCT_DOMAIN', 'subdomain', true, /restores ga.*load keep\.js/],
    [
      'document mode: the page itself sets them',
      SETTINGS,
      'PRODUCT_DOMAIN',
      'document',
      true,
      /restores ga, cookie:uid .*own response \(document mode\).*no keep\.js needed/,
    ],
    [
      'edge mode: the page itself sets them',
      SETTINGS,
      'PRODUCT_DOMAIN',
      'edge',
      true,
      /own response \(edge mode\).*no keep\.js needed/,
    ],
    [
      'LOCAL_STORAGE',
      SETTINGS,
      'LOCAL_STORAGE',
      'subdomain',
      false,
      /keeps nothing here: server\.cors\.corsCookieMode=LOCAL_STORAGE/,
    ],
    [
      'LOCAL_DOMAIN_STORAGE',
      SETTINGS,
      'LOCAL_DOMAIN_STORAGE',
      'subdomain',
      false,
      /keeps nothing here: .*LOCAL_DOMAIN_STORAGE/,
    ],
    [
      'a cross-site server',
      SETTINGS,
      'PRODUCT_DOMAIN',
      'cross-site',
      false,
      /keeps nothing here: .*another site/,
    ],
  ])('%s', (_what, settings, corsCookieMode, mode, keeps, message) => {
    const diagnosis = diagnoseKeeper(settings, corsCookieMode, { mode, lifetimeDays: 400 });
    expect(diagnosis).toEqual({
      cookies: settings.map((s) => (s.adapter === 'cookie' ? `cookie:${s.name}` : s.adapter)),
      keeps,
      message: expect.stringMatching(message),
    });
  });
});
