// Finds the captured pages under sources/: every *.txt, *.html and *.htm file, in any folder not
// starting with ".".
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { isHtmlPagePath } from './html-capture.js';

/** Text captures; HTML ones are named in html-capture.ts. */
export const TEXT_PAGE_EXTENSION = '.txt';

export function isPagePath(name: string): boolean {
  return name.endsWith(TEXT_PAGE_EXTENSION) || isHtmlPagePath(name);
}

export interface SourceFiles {
  /** Page paths relative to `sourcesDir`, with "/" separators, sorted. */
  pages: string[];
  /** Every other file name at the top of sources/, sorted: where site.yaml and remote sources live. */
  topLevel: string[];
  /** Folders under sources/ that could not be listed ("politics/", with the error): only their pages fail. */
  unreadableFolders: UnreadableFolder[];
}

export interface UnreadableFolder {
  /** Relative to sources/, "/"-separated, ending in "/". */
  folder: string;
  error: Error;
}

/** One walk of sources/, shared by the page reader and the remote-source loader. */
export function listSourceFiles(sourcesDir: string): SourceFiles {
  const files: SourceFiles = { pages: [], topLevel: [], unreadableFolders: [] };
  try {
    collectPages(sourcesDir, '', files);
  } catch (error) {
    throw new ConfigError(`sources folder ${sourcesDir} cannot be read: ${(error as Error).message}`, { cause: error });
  }
  files.pages.sort();
  files.topLevel.sort();
  return files;
}

export function listPageSources(sourcesDir: string): string[] {
  return listSourceFiles(sourcesDir).pages;
}

// A walk by hand: Node 20's recursive readdir is several times slower on large folders. sources/
// itself must be readable; a folder under it that is not fails only its own pages.
function collectPages(folder: string, prefix: string, files: SourceFiles): void {
  let entries;
  try {
    entries = readdirSync(folder, { withFileTypes: true });
  } catch (error) {
    if (prefix === '') throw error;
    files.unreadableFolders.push({ folder: prefix, error: error instanceof Error ? error : new Error(String(error)) });
    return;
  }
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    if (entry.isDirectory()) collectPages(path.join(folder, entry.name), `${prefix}${entry.name}/`, files);
    else if (isPagePath(entry.name) && (entry.isFile() || entry.isSymbolicLink())) files.pages.push(`${prefix}${entry.name}`);
    else if (prefix === '') files.topLevel.push(entry.name);
  }
}
