// The site's settings as a pass sees them: read from sources/site.yaml, remembered in the state
// so an unchanged site.yaml is not parsed and checked again on every pass.
import { loadSiteConfig, type SiteConfigCache, type SiteOverrides } from '../config/site.js';
import type { SiteConfig } from '../model.js';
import type { Store } from '../store/store.js';

const META_KEY = 'site_config';

export function loadPassSettings(sourcesDir: string, overrides: SiteOverrides | undefined, store: Store | undefined): Promise<SiteConfig> {
  return loadSiteConfig(sourcesDir, overrides, store ? settingsRememberedIn(store) : undefined);
}

function settingsRememberedIn(store: Store): SiteConfigCache {
  return {
    get: async (key) => {
      const stored = await store.meta(META_KEY);
      if (stored === undefined) return undefined;
      const remembered = JSON.parse(stored) as { key: string; site: SiteConfig };
      return remembered.key === key ? remembered.site : undefined;
    },
    set: async (key, site) => store.setMeta(META_KEY, JSON.stringify({ key, site })),
  };
}
