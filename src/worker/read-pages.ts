// Captured page files under sources/ -> entries. Unchanged files are skipped unread; when many
// have changed (a first pass), parse threads read and normalize them while this thread stores.
import { createHash } from 'node:crypto';
import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { describeError, SourceError } from '../errors.js';
import type { UnreadableFolder } from '../ingest/page-sources.js';
import { LOCAL_PAGE_KIND, type SiteConfig } from '../model.js';
import type { StorableEntry } from '../store/entry-row.js';
import type { PageStamp, SourceRecord } from '../store/store.js';
import { type PageFileJob, type PageFileOutcome, pageFilesEntries } from './page-file-entries.js';
import type { DocumentParser } from './parse-threads.js';
import { emptyReadResult, type ReadResult } from './read-result.js';
import { keptExtraction, recordExtraction } from './extraction-health.js';

export interface PageReadOptions {
  sourcesDir: string;
  site: SiteConfig;
  /** What a source's entries depend on besides its bytes. */
  fingerprint: string;
  /** Pages last read fine with these settings; asked for only when some page may have changed. */
  stamps: () => Promise<Map<string, PageStamp>>;
  /** A source's last result, for a page that has changed. */
  record: (source: string) => Promise<SourceRecord | undefined>;
  /** Every source's last result at once: asked for instead of `record` when many pages changed. */
  records?: () => Promise<Map<string, SourceRecord>>;
  /** The pass's parse threads, asked for only when many pages changed. */
  parser?: (pageCount: number) => Promise<DocumentParser>;
  /** The listing of the last pass in which every page was read fine. */
  lastListing?: PageListing | undefined;
  /** Folders that could not be listed: each page known in one fails (its entries kept), or the folder does. */
  unreadableFolders?: readonly UnreadableFolder[];
  nowMs: number;
  logger: Logger;
  /** Takes each page's entries as it is read, so they need not all be held at once. */
  storeEntries: (entries: StorableEntry[]) => Promise<void>;
}

/**
 * Every page's name, size and modification time, and the settings, in one digest. When it equals
 * the last fine pass's, no page can have changed and none needs looking up one by one.
 */
export interface PageListing {
  digest: string;
  entries: number;
}

export interface PageReadResult extends ReadResult {
  /** This pass's listing; undefined when a page could not be read or stat'ed. */
  listing: PageListing | undefined;
}

/**
 * Changed pages from this many on go to the parse threads (and their records are read at once):
 * below it, starting threads and copying entries back costs more than it saves.
 */
export const PAGE_THREADS_FROM = 200;
/** Pages a thread gets in one message: one reply for many pages, not a message each. */
const PAGES_PER_TASK = 32;
/** Tasks handed out ahead of the one being stored, so the threads work while this thread stores. */
const TASKS_AHEAD = 16;

/** A changed page to read, by index into the listing. */
interface ChangedPage {
  index: number;
  previous: SourceRecord | undefined;
  job: PageFileJob;
}

export async function readPages(pages: readonly string[], options: PageReadOptions): Promise<PageReadResult> {
  if (options.unreadableFolders && options.unreadableFolders.length > 0) {
    const result = await readPagesWithout(pages, options);
    const folderFailures = await failUnreadableFolders(options.unreadableFolders, options);
    return { ...result, failures: [...folderFailures.failures, ...result.failures], records: [...folderFailures.records, ...result.records], listing: undefined };
  }
  const stats = statPages(pages, options.sourcesDir);
  const digest = listingDigest(pages, stats, options.fingerprint);
  if (digest !== undefined && digest === options.lastListing?.digest) {
    return { ...emptyReadResult(), unchanged: pages.length, unchangedEntries: options.lastListing.entries, listing: options.lastListing };
  }
  const stamps = await options.stamps();
  const result = emptyReadResult();
  let entriesInPages = 0;
  const changed: number[] = [];
  for (let index = 0; index < pages.length; index++) {
    const stamp = stamps.get(pages[index]!);
    // Unchanged size and modification time: the page was read before, skip it unread.
    if (stamp && !stats.errors.has(index) && stamp.size === stats.sizes[index] && stamp.mtimeMs === stats.mtimesMs[index]) {
      result.unchanged++;
      result.unchangedEntries += stamp.entries;
      entriesInPages += stamp.entries;
    } else {
      changed.push(index);
    }
  }

  const many = changed.length >= PAGE_THREADS_FROM;
  const known = many && options.records ? await options.records() : undefined;
  const parser = many && options.parser ? await options.parser(changed.length) : undefined;
  const sourcesRoot = realpathSync(options.sourcesDir || '.');
  const readPageFiles = parser
    ? (jobs: PageFileJob[]) => parser.readPageFiles({ site: options.site, sourcesRoot, nowMs: options.nowMs, pages: jobs })
    : async (jobs: PageFileJob[]) => pageFilesEntries({ site: options.site, sourcesRoot, nowMs: options.nowMs, pages: jobs });
  const folder = path.join(options.sourcesDir || '.', path.sep);

  const settle = async (page: ChangedPage, outcome: PageFileOutcome) => {
    const source = pages[page.index]!;
    const { previous } = page;
    const statError = stats.errors.get(page.index);
    if (statError || 'error' in outcome) {
      fail(result, options, source, previous, statError ?? (outcome as { error: Error }).error);
      return;
    }
    const { read } = outcome;
    for (const warning of read.warnings ?? []) {
      options.logger.warn({ source, file: path.join(options.sourcesDir, source), stage: 'normalize', code: warning.code, reason: warning.reason }, `page read with a warning: ${warning.reason}`);
    }
    const record: SourceRecord = {
      source,
      kind: LOCAL_PAGE_KIND,
      size: stats.sizes[page.index]!,
      mtimeMs: stats.mtimesMs[page.index]!,
      bytesHash: read.bytesHash,
      fingerprint: options.fingerprint,
      status: 'ok',
      entries: 0,
      lastAttemptMs: options.nowMs,
      lastSuccessMs: options.nowMs,
      failures: 0,
    };
    if (read.entries === undefined) {
      // Touched but not edited: same bytes, same entries, same lists.
      result.unchanged++;
      result.unchangedEntries += previous!.entries;
      entriesInPages += previous!.entries;
      result.records.push({ ...record, ...keptExtraction(previous!), entries: previous!.entries });
      return;
    }
    if (read.extraction) Object.assign(record, recordExtraction(options.logger.child({ source, file: path.join(options.sourcesDir, source) }), read.extraction, read.dating, previous));
    try {
      await options.storeEntries(read.entries);
    } catch (error) {
      fail(result, options, source, previous, error instanceof Error ? error : new Error(String(error)));
      return;
    }
    result.records.push({ ...record, entries: read.entries.length });
    entriesInPages += read.entries.length;
    result.ok++;
  };

  // Tasks go out in page order and are settled in page order, a few ahead: the entries are
  // stored in the order an in-process read stores them, and only a few tasks' worth are held.
  const ahead: { pages: ChangedPage[]; outcomes: Promise<PageFileOutcome[]> }[] = [];
  let next = 0;
  const handOut = async () => {
    const batch: ChangedPage[] = [];
    const jobs: PageFileJob[] = [];
    while (next < changed.length && batch.length < PAGES_PER_TASK) {
      const index = changed[next++]!;
      const source = pages[index]!;
      const previous = known ? known.get(source) : await options.record(source);
      const upToDate = previous?.status === 'ok' && previous.fingerprint === options.fingerprint;
      const page: ChangedPage = { index, previous, job: { source, file: folder + source, mtimeMs: stats.mtimesMs[index]!, knownHash: upToDate ? previous.bytesHash : undefined } };
      batch.push(page);
      // A page that cannot be stat'ed is not read; it fails as it is settled.
      if (!stats.errors.has(index)) jobs.push(page.job);
    }
    ahead.push({ pages: batch, outcomes: readPageFiles(jobs) });
  };
  while (next < changed.length && ahead.length < (parser ? TASKS_AHEAD : 1)) await handOut();
  while (ahead.length > 0) {
    const task = ahead.shift()!;
    const outcomes = await task.outcomes;
    if (next < changed.length) await handOut();
    let at = 0;
    for (const page of task.pages) await settle(page, stats.errors.has(page.index) ? { error: stats.errors.get(page.index)! } : outcomes[at++]!);
  }

  // Only a pass with every page fine may vouch for the listing: a failed page is tried again.
  const listing = digest !== undefined && result.failures.length === 0 ? { digest, entries: entriesInPages } : undefined;
  return { ...result, listing };
}

/** The pages that could be listed, read as usual (never vouching for the listing). */
function readPagesWithout(pages: readonly string[], options: PageReadOptions): Promise<PageReadResult> {
  return readPages(pages, { ...options, unreadableFolders: [], lastListing: undefined });
}

/** Each page known in a folder that cannot be listed fails with that folder's error; a folder with no known page fails itself. */
async function failUnreadableFolders(folders: readonly UnreadableFolder[], options: PageReadOptions): Promise<ReadResult> {
  const result = emptyReadResult();
  const known = options.records ? await options.records() : new Map<string, SourceRecord>();
  for (const { folder, error } of folders) {
    // The system's code, not its message: that names the absolute path, and status.json is public.
    const reason = `folder ${folder} cannot be read (${(error as NodeJS.ErrnoException).code ?? error.message})`;
    const inFolder = [...known.values()].filter((record) => record.kind === LOCAL_PAGE_KIND && record.source.startsWith(folder));
    if (inFolder.length === 0) {
      result.failures.push({ source: folder, reason });
      options.logger.error({ source: folder, file: path.join(options.sourcesDir, folder), stage: 'ingest', code: 'SOURCE_FOLDER_UNREADABLE', reason }, `pages skipped: ${reason}`);
      continue;
    }
    for (const record of inFolder) fail(result, options, record.source, record, new SourceError('ingest', record.source, reason, { code: 'SOURCE_FOLDER_UNREADABLE', cause: error }));
  }
  return result;
}

function fail(result: ReadResult, options: PageReadOptions, source: string, previous: SourceRecord | undefined, error: Error): void {
  const file = path.join(options.sourcesDir, source);
  const reason = error instanceof SourceError ? describeError(error) : `cannot read page: ${describeError(error)}`;
  result.failures.push({ source, reason });
  options.logger.error({ source, file, stage: error instanceof SourceError ? error.stage : 'ingest', code: error instanceof SourceError ? error.code : 'SOURCE_UNREADABLE', reason }, `page skipped: ${reason}`);
  result.records.push({
    source,
    kind: LOCAL_PAGE_KIND,
    status: 'failed',
    error: reason,
    entries: previous?.entries ?? 0,
    lastAttemptMs: options.nowMs,
    ...(previous?.lastSuccessMs !== undefined ? { lastSuccessMs: previous.lastSuccessMs } : {}),
    ...keptExtraction(previous),
    failures: (previous?.failures ?? 0) + 1,
  });
}

/** Sizes and modification times by page index: plain numbers, not ten thousand Stats objects. */
interface PageStats {
  sizes: Float64Array;
  mtimesMs: Float64Array;
  errors: Map<number, Error>;
}

function statPages(pages: readonly string[], sourcesDir: string): PageStats {
  const stats: PageStats = { sizes: new Float64Array(pages.length), mtimesMs: new Float64Array(pages.length), errors: new Map() };
  // Page paths are already relative and "/"-separated: joining them by hand saves a normalize per page.
  const folder = path.join(sourcesDir || '.', path.sep);
  for (let index = 0; index < pages.length; index++) {
    try {
      const stat = statSync(folder + pages[index]);
      stats.sizes[index] = stat.size;
      stats.mtimesMs[index] = stat.mtimeMs;
    } catch (error) {
      stats.errors.set(index, error instanceof Error ? error : new Error(String(error)));
    }
  }
  return stats;
}

function listingDigest(pages: readonly string[], stats: PageStats, fingerprint: string): string | undefined {
  if (stats.errors.size > 0) return undefined;
  const lines = [fingerprint];
  for (let index = 0; index < pages.length; index++) lines.push(`${pages[index]}\0${stats.sizes[index]}\0${stats.mtimesMs[index]}`);
  return createHash('sha1').update(lines.join('\n')).digest('base64url');
}

