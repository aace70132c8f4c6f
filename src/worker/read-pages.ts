// Captured page files under sources/ -> entries. Unchanged files are skipped unread.
import { createHash, hash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { describeError, SourceError } from '../errors.js';
import { decodePageBytes, readCapture } from '../ingest/page-file.js';
import { LOCAL_PAGE_KIND, type Entry, type SiteConfig } from '../model.js';
import { pageToEntries } from '../normalize/entries.js';
import type { PageStamp, SourceRecord } from '../store/store.js';
import { emptyReadResult, type ReadResult } from './read-result.js';

export interface PageReadOptions {
  sourcesDir: string;
  site: SiteConfig;
  /** What a source's entries depend on besides its bytes. */
  fingerprint: string;
  /** Pages last read fine with these settings; asked for only when some page may have changed. */
  stamps: () => Promise<Map<string, PageStamp>>;
  /** A source's last result, for a page that has changed. */
  record: (source: string) => Promise<SourceRecord | undefined>;
  /** The listing of the last pass in which every page was read fine. */
  lastListing?: PageListing | undefined;
  nowMs: number;
  logger: Logger;
  /** Takes each page's entries as it is read, so they need not all be held at once. */
  storeEntries: (entries: Entry[]) => Promise<void>;
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

export async function readPages(pages: readonly string[], options: PageReadOptions): Promise<PageReadResult> {
  const stats = statPages(pages, options.sourcesDir);
  const digest = listingDigest(pages, stats, options.fingerprint);
  if (digest !== undefined && digest === options.lastListing?.digest) {
    return { ...emptyReadResult(), unchanged: pages.length, unchangedEntries: options.lastListing.entries, listing: options.lastListing };
  }
  const stamps = await options.stamps();
  const result = emptyReadResult();
  let entriesInPages = 0;
  for (let index = 0; index < pages.length; index++) {
    const source = pages[index]!;
    const stat = { size: stats.sizes[index]!, mtimeMs: stats.mtimesMs[index]! };
    const stamp = stamps.get(source);
    // Unchanged size and modification time: the page was read before, skip it unread.
    if (stamp && !stats.errors.has(index) && stamp.size === stat.size && stamp.mtimeMs === stat.mtimeMs) {
      result.unchanged++;
      result.unchangedEntries += stamp.entries;
      entriesInPages += stamp.entries;
      continue;
    }
    const file = path.join(options.sourcesDir, source);
    const previous = await options.record(source);
    const upToDate = previous?.status === 'ok' && previous.fingerprint === options.fingerprint;
    try {
      const statError = stats.errors.get(index);
      if (statError) throw statError;
      const bytes = readFileSync(file);
      const bytesHash = hash('sha1', bytes, 'base64url');
      const record: SourceRecord = {
        source,
        kind: LOCAL_PAGE_KIND,
        size: stat.size,
        mtimeMs: stat.mtimeMs,
        bytesHash,
        fingerprint: options.fingerprint,
        status: 'ok',
        entries: 0,
        lastAttemptMs: options.nowMs,
        lastSuccessMs: options.nowMs,
        failures: 0,
      };
      // Touched but not edited: same bytes, same entries. Re-reading would re-date its briefs.
      if (upToDate && previous.bytesHash === bytesHash) {
        result.unchanged++;
        result.unchangedEntries += previous.entries;
        entriesInPages += previous.entries;
        result.records.push({ ...record, entries: previous.entries });
        continue;
      }
      const capture = readCapture(decodePageBytes(bytes, source), source, new Date(stat.mtimeMs));
      const entries = pageToEntries(capture, options.site);
      await options.storeEntries(entries);
      result.records.push({ ...record, entries: entries.length });
      entriesInPages += entries.length;
      result.ok++;
    } catch (error) {
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
        failures: (previous?.failures ?? 0) + 1,
      });
    }
  }
  // Only a pass with every page fine may vouch for the listing: a failed page is tried again.
  const listing = digest !== undefined && result.failures.length === 0 ? { digest, entries: entriesInPages } : undefined;
  return { ...result, listing };
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
