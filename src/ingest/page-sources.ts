// Finds the captured pages under sources/: every *.txt file, in any folder not starting with ".".
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.js';

export const PAGE_EXTENSION = '.txt';

/** Page paths relative to `sourcesDir`, with "/" separators, sorted. */
export function listPageSources(sourcesDir: string): string[] {
  const pages: string[] = [];
  try {
    collectPages(sourcesDir, '', pages);
  } catch (error) {
    throw new ConfigError(`sources folder ${sourcesDir} cannot be read: ${(error as Error).message}`, { cause: error });
  }
  return pages.sort();
}

// A walk by hand: Node 20's recursive readdir is several times slower on large folders.
function collectPages(folder: string, prefix: string, pages: string[]): void {
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    if (entry.isDirectory()) collectPages(path.join(folder, entry.name), `${prefix}${entry.name}/`, pages);
    else if (entry.name.endsWith(PAGE_EXTENSION) && (entry.isFile() || entry.isSymbolicLink())) pages.push(`${prefix}${entry.name}`);
  }
}
