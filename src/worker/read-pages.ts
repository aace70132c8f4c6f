// Captured page files under sources/ -> entries. Unchanged files are skipped unread.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { describeError, SourceError } from '../errors.js';
import { decodePageBytes, readCapture } from '../ingest/page-file.js';
import type { Entry, SiteConfig } from '../model.js';
import { LOCAL_PAGE_KIND } from '../publish/status.js';
import { pageToEntries } from '../normalize/entries.js';
import type { SourceRecord } from '../store/store.js';
import { emptyReadResult, type ReadResult } from './read-result.js';

export interface PageReadOptions {
  sourcesDir: string;
  site: SiteConfig;
  /** What a source's entries depend on besides its bytes. */
  fingerprint: string;
  known: Map<string, SourceRecord>;
  nowMs: number;
  logger: Logger;
  /** Takes the entries read, a batch at a time, so they need not all be held at once. */
  storeEntries: (entries: Entry[]) => Promise<void>;
}

const BATCH_SIZE = 2000;

export async function readPages(pages: readonly string[], options: PageReadOptions): Promise<ReadResult> {
  const result = emptyReadResult();
  let batch: Entry[] = [];
  for (const source of pages) {
    const file = path.join(options.sourcesDir, source);
    const previous = options.known.get(source);
    const upToDate = previous?.status === 'ok' && previous.fingerprint === options.fingerprint;
    try {
      const stat = statSync(file);
      // Unchanged size and modification time: the page was read before, skip it unread.
      if (upToDate && previous.size === stat.size && previous.mtimeMs === stat.mtimeMs) {
        result.unchanged++;
        result.unchangedEntries += previous.entries;
        continue;
      }
      const bytes = readFileSync(file);
      const bytesHash = createHash('sha1').update(bytes).digest('base64url');
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
        result.records.push({ ...record, entries: previous.entries });
        continue;
      }
      const capture = readCapture(decodePageBytes(bytes, source), source, stat.mtime);
      const entries = pageToEntries(capture, options.site);
      batch.push(...entries);
      if (batch.length >= BATCH_SIZE) {
        await options.storeEntries(batch);
        batch = [];
      }
      result.records.push({ ...record, entries: entries.length });
      result.ok++;
    } catch (error) {
      const reason = error instanceof SourceError ? error.message : `cannot read page: ${describeError(error)}`;
      result.failures.push({ source, reason });
      options.logger.error({ source, file, stage: error instanceof SourceError ? error.stage : 'ingest', reason }, `page skipped: ${reason}`);
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
  await options.storeEntries(batch);
  return result;
}
