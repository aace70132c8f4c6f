// The site's settings as a pass sees them: read from sources/site.yaml, remembered in the state
// so an unchanged site.yaml is not parsed and checked again on every pass.
import { loadSiteConfig, type SiteOverrides } from '../config/site.js';
import { ConfigError } from '../errors.js';
import type { SiteConfig } from '../model.js';
import type { Store } from '../store/store.js';
import { readWatermark, WATERMARKS, writeWatermark } from '../store/watermarks.js';

export function loadPassSettings(sourcesDir: string, overrides: SiteOverrides | undefined, store: Store | undefined): Promise<SiteConfig> {
  return loadSiteConfig(
    sourcesDir,
    overrides,
    store ? { get: (key) => rememberedSettings(store, key), set: (key, site) => rememberSettings(store, key, site) } : undefined,
  );
}

/** Settings read before the state they belong in is known, and a way to remember them there. */
export interface UnplacedSettings {
  site: SiteConfig;
  /** Remembers settings that were parsed (not found remembered) in the store the pass uses. */
  rememberIn(store: Store): Promise<void>;
}

/**
 * Reads the settings, looking them up in `rememberedIn` first but writing nothing to it: site.yaml
 * may name another state, and settings belong only in the state they name.
 */
export async function readSettingsBeforeState(sourcesDir: string, overrides: SiteOverrides | undefined, rememberedIn: Pick<Store, 'meta'> | undefined): Promise<UnplacedSettings> {
  let parsed: { key: string; site: SiteConfig } | undefined;
  const site = await loadSiteConfig(sourcesDir, overrides, {
    get: async (key) => (rememberedIn ? rememberedSettings(rememberedIn, key) : undefined),
    set: async (key, site) => {
      parsed = { key, site };
    },
  });
  return { site, rememberIn: async (store) => (parsed ? rememberSettings(store, parsed.key, parsed.site) : undefined) };
}

/** The settings a store remembers for `key` (site.yaml's text, the flags, the version), if any. */
async function rememberedSettings(store: Pick<Store, 'meta'>, key: string): Promise<SiteConfig | undefined> {
  const remembered = await readWatermark(store, WATERMARKS.siteSettings);
  return remembered?.key === key ? (remembered.site as SiteConfig) : undefined;
}

async function rememberSettings(store: Pick<Store, 'meta' | 'setMeta'>, key: string, site: SiteConfig): Promise<void> {
  // The settings remembered until now may be the only record of the URL the state's ids were made in.
  await pinIdNamespace(store, site);
  await writeWatermark(store, WATERMARKS.siteSettings, { key, site });
}

/**
 * The settings as this state sees them: ids are made in the namespace the state was created with,
 * whatever `url` says now.
 */
export async function withStateIdentity(site: SiteConfig, store: Pick<Store, 'meta' | 'setMeta'>): Promise<SiteConfig> {
  return withIdNamespace(site, await pinIdNamespace(store, site));
}

/**
 * withStateIdentity for a process that serves many units of work on one state (a fleet worker):
 * the namespace is read from the state once, as it never changes, and again only if that failed.
 */
export function stateIdentity(store: Pick<Store, 'meta' | 'setMeta'>): (site: SiteConfig) => Promise<SiteConfig> {
  let kept: Promise<string> | undefined;
  return async (site) => {
    kept ??= pinIdNamespace(store, site);
    try {
      return withIdNamespace(site, await kept);
    } catch (error) {
      kept = undefined;
      throw error;
    }
  };
}

function withIdNamespace(site: SiteConfig, kept: string): SiteConfig {
  if (site.siteId !== undefined && site.siteId !== kept) {
    throw new ConfigError(`site.yaml: key "site_id": "${site.siteId}" differs from the id namespace this state was created with ("${kept}"); ids never change, so remove site_id or start a new state`);
  }
  return kept === site.idNamespace ? site : { ...site, idNamespace: kept };
}

/**
 * The state's id namespace, taken now if it has none: for a state an earlier feedloom wrote, the
 * URL of the settings it last remembered (the URL its ids were made in, even when `url` changes in
 * the step that upgrades); for a new state, `site_id` or the site's URL.
 */
async function pinIdNamespace(store: Pick<Store, 'meta' | 'setMeta'>, site: SiteConfig): Promise<string> {
  const kept = await readWatermark(store, WATERMARKS.idNamespace);
  if (kept !== undefined) return kept;
  const remembered = (await readWatermark(store, WATERMARKS.siteSettings))?.site as Partial<SiteConfig> | undefined;
  const namespace = remembered?.idNamespace ?? remembered?.url ?? site.siteId ?? site.idNamespace;
  await writeWatermark(store, WATERMARKS.idNamespace, namespace);
  return namespace;
}
