// Where the state lives: a SQLite file (the default, one process), or a PostgreSQL database that
// several workers can share. One reading of the text, for --state and for `state:` in site.yaml.

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

/** A URL (a state's, a queue's) as logs and error messages may show it: a password never leaves the process. */
export function redactUrl(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*):[^@/?#]*@/i, '$1:***@').replace(/([?&]password=)[^&#]*/gi, '$1***');
}
