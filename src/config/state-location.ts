// Where the state lives: a SQLite file (the default, one process), or a PostgreSQL database that
// several workers can share. One reading of the text, for --state and for `state:` in site.yaml,
// and the one policy for which of the two wins and where the state may be.
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, describeError } from '../errors.js';
import { redactUrl } from '../shared/url-secrets.js';

export const DEFAULT_STATE_FILE = '.feedloom/state.db';

export type StateLocation = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

/** Reads a location; throws an Error whose message is the reason, for the caller to name its flag or key. */
export function parseStateLocation(text: string): StateLocation {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text)?.[1]?.toLowerCase();
  if (scheme === undefined) return { kind: 'sqlite', file: text };
  // Any other URL is a mistake, never a file name: "redis://…" must not become a folder called "redis:".
  if (scheme !== 'postgres' && scheme !== 'postgresql') {
    throw new Error(`"${redactUrl(text)}" must be a file path or a postgres:// URL`);
  }
  try {
    new URL(text);
  } catch {
    throw new Error(`"${redactUrl(text)}" is not a valid postgres:// URL`);
  }
  return { kind: 'postgres', url: text };
}

/** Where the state is, and what named it: for messages an operator can act on. */
export type ChosenState = StateLocation & { origin: string };

/**
 * --state wins over `state:` in site.yaml (already checked when it was read), which wins over the
 * default. `siteState` is site.yaml's `state`, `siteFile` the path of site.yaml, for the message.
 */
export function chooseStateLocation(flag: string | undefined, siteState: string | undefined, siteFile: string): ChosenState {
  if (flag === undefined) {
    const origin = siteState !== undefined ? `state in ${siteFile}` : '--state (default)';
    return { ...parseStateLocation(siteState ?? DEFAULT_STATE_FILE), origin };
  }
  try {
    return { ...parseStateLocation(flag), origin: '--state' };
  } catch (error) {
    throw new ConfigError(`--state: ${describeError(error)}`, { cause: error });
  }
}

export function sameStateLocation(a: StateLocation, b: StateLocation): boolean {
  if (a.kind === 'sqlite' && b.kind === 'sqlite') return path.resolve(a.file) === path.resolve(b.file);
  return a.kind === 'postgres' && b.kind === 'postgres' && a.url === b.url;
}

/** The state is never published: a state file inside out/ would be served with the feeds. */
export function checkStateOutsideOut(outDir: string, state: ChosenState): void {
  if (state.kind !== 'sqlite') return;
  const file = state.file;
  const relative = path.relative(realPath(outDir), path.join(realPath(path.dirname(file)), path.basename(file)));
  if (!relative.startsWith('..') && !path.isAbsolute(relative)) {
    throw new ConfigError(`${state.origin} ${file} is inside --out ${outDir}; keep the state out of what is published`);
  }
}

/**
 * Compressed forms of published files are kept beside a state file: never published themselves.
 * A database has no folder, so they go where the default state file would.
 */
export function formsDirFor(state: StateLocation): string {
  return path.join(path.dirname(state.kind === 'sqlite' ? state.file : DEFAULT_STATE_FILE), 'compressed');
}

/** The path with every symlink followed, for the part of it that exists so far. */
function realPath(file: string): string {
  const absolute = path.resolve(file);
  try {
    return realpathSync(absolute);
  } catch {
    const parent = path.dirname(absolute);
    return parent === absolute ? absolute : path.join(realPath(parent), path.basename(absolute));
  }
}
