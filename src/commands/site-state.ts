// The one place a command turns its flags into the site's settings and an open state, in the
// order that changes nothing when something is wrong: site.yaml is read and checked before out/
// is touched and before a new state is made.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { SITE_FILE } from '../config/site.js';
import { checkStateOutsideOut, chooseStateLocation, type ChosenState, DEFAULT_STATE_FILE, parseStateLocation, sameStateLocation } from '../config/state-location.js';
import { describeError, errorFields } from '../errors.js';
import type { SiteConfig } from '../model.js';
import { openStore, peekStateFile } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { readSettingsBeforeState } from '../worker/site-settings.js';
import { EXIT_FATAL, type SiteFlags } from './flags.js';

export interface SiteState {
  site: SiteConfig;
  state: ChosenState;
  store: Store;
}

/**
 * The settings, then the state they name, opened. An existing state file remembers the settings
 * it last read, so a pass over unchanged sources need not parse site.yaml again; site.yaml may
 * still name another state, so settings are remembered only in the state that is opened.
 */
export async function openSiteState(flags: SiteFlags): Promise<SiteState> {
  let existing = await openExistingStateFile(flags);
  try {
    const settings = await readSettingsBeforeState(flags.sourcesDir, flags.overrides, existing?.store ?? defaultStateMemory(flags));
    const { site } = settings;
    const state = stateLocationFor(flags, site);
    if (existing && !sameStateLocation(existing.state, state)) {
      await existing.store.close();
      existing = undefined;
    }
    const store = existing?.store ?? (await openState(flags.outDir, state));
    existing = { state, store };
    await settings.rememberIn(store);
    return { site, state, store };
  } catch (error) {
    await existing?.store.close();
    throw error;
  }
}

/** Where the state of this site is, by --state, else site.yaml, else the default. */
export function stateLocationFor(flags: Pick<SiteFlags, 'state' | 'sourcesDir'>, site: SiteConfig): ChosenState {
  return chooseStateLocation(flags.state, site.state, path.join(flags.sourcesDir, SITE_FILE));
}

/** Checks the location, then opens the state there. */
export async function openState(outDir: string, state: ChosenState): Promise<Store> {
  checkStateOutsideOut(outDir, state);
  return openStore(state);
}

/** Runs a long-lived command's work; anything thrown is its one fatal log line and exit 1. */
export async function exitOnFatal(logger: Logger, work: () => Promise<number>): Promise<number> {
  try {
    return await work();
  } catch (error) {
    logger.fatal({ ...errorFields(error), err: describeError(error) }, describeError(error));
    return EXIT_FATAL;
  }
}

/** The SQLite file --state names, when it exists: the pass will use it, whatever site.yaml says. */
async function openExistingStateFile(flags: SiteFlags): Promise<{ state: ChosenState; store: Store } | undefined> {
  if (flags.state === undefined) return undefined;
  let state: ChosenState;
  try {
    state = { ...parseStateLocation(flags.state), origin: '--state' };
  } catch {
    return undefined; // reported with the settings, as --state always is
  }
  if (state.kind !== 'sqlite' || !existsSync(state.file)) return undefined;
  return { state, store: await openState(flags.outDir, state) };
}

/**
 * Without --state, the default state file, when there is one, may remember the settings; but
 * site.yaml may name another state, so the file is only looked into, never opened as the state.
 */
function defaultStateMemory(flags: SiteFlags): Pick<Store, 'meta'> | undefined {
  if (flags.state !== undefined || !existsSync(DEFAULT_STATE_FILE)) return undefined;
  return { meta: (key) => peekStateFile(DEFAULT_STATE_FILE, key) };
}
