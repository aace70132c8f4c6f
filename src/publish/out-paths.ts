// Whether every file a publish may write fits the file system's limits, checked before a pass
// writes anything: a path too long would fail half-way through a publish (ENAMETOOLONG), with
// some files of out/ already rewritten and the rest not.
import path from 'node:path';
import { MAX_NAME_BYTES } from '../config/site.js';
import { ConfigError } from '../errors.js';
import { ARCHIVE_FOLDER, ENTRY_PAGES_FOLDER, FEED_PAGE_FILE, feedKey } from '../layout.js';
import type { SiteConfig } from '../model.js';

/** PATH_MAX on Linux, less its terminating NUL. */
export const MAX_PATH_BYTES = 4095;

// The longest names a publish gives a file: a temporary file beside an archive page, an entry
// page or a feed file (".<name>.feedloom-<pid>-<n>.tmp", with room for any pid and counter).
const LONGEST_TEMP_SUFFIX = '.feedloom-4294967295-9007199254740991.tmp';
const LONGEST_ARCHIVE_PAGE = '.9007199254740991.xml';
const LONGEST_ENTRY_PAGE = `.${'f'.repeat(36)}.html`;

/** Throws ConfigError when some file a publish of `site` into `outDir` writes would have too long a path. */
export function checkOutPaths(site: SiteConfig, outDir: string): void {
  const root = path.resolve(outDir);
  const longest = [path.join(root, ENTRY_PAGES_FOLDER, LONGEST_ENTRY_PAGE + LONGEST_TEMP_SUFFIX)];
  for (const feed of site.feeds) {
    longest.push(path.join(root, feed.id, `.${FEED_PAGE_FILE}${LONGEST_TEMP_SUFFIX}`));
    longest.push(path.join(root, ARCHIVE_FOLDER, feedKey(feed.id), LONGEST_ARCHIVE_PAGE + LONGEST_TEMP_SUFFIX));
  }
  for (const file of longest) {
    const tooLong = file.split(path.sep).find((name) => Buffer.byteLength(name) > MAX_NAME_BYTES);
    if (tooLong !== undefined) throw new ConfigError(`output folder ${outDir}: a file it would hold has a name of ${Buffer.byteLength(tooLong)} bytes, more than ${MAX_NAME_BYTES}`);
    if (Buffer.byteLength(file) > MAX_PATH_BYTES) throw new ConfigError(`output folder ${outDir}: a file it would hold has a path of ${Buffer.byteLength(file)} bytes, more than ${MAX_PATH_BYTES}`);
  }
}
