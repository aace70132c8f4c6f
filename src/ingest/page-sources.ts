// Finds the captured pages under sources/: every *.txt file, in any folder not starting with ".".
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.js';

export const PAGE_EXTENSION = '.txt';

/** Page paths relative to `sourcesDir`, with "/" separators, sorted. */
export function listPageSources(sourcesDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(sourcesDir, { recursive: true }) as string[];
  } catch (error) {
    throw new ConfigError(`sources folder ${sourcesDir} cannot be read: ${(error as Error).message}`, { cause: error });
  }
  return names
    .map((name) => name.split(path.sep).join('/'))
    .filter((name) => name.endsWith(PAGE_EXTENSION) && !name.split('/').some((part) => part.startsWith('.')))
    .sort();
}
