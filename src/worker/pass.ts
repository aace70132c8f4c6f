// One pass: read every source, store what changed, publish the feeds. A failing source is
// logged and skipped; its earlier entries stay in the feeds.
import { createHash } from 'node:crypto';
import { accessSync, constants, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { loadSiteConfig, type SiteOverrides } from '../config/site.js';
import { describeError, PublishError, SourceError } from '../errors.js';
import { decodePageBytes, readCapture } from '../ingest/page-file.js';
import { listPageSources } from '../ingest/page-sources.js';
import type { Entry, SiteConfig } from '../model.js';
import { NORMALIZE_VERSION, pageToEntries } from '../normalize/entries.js';
import { publishFeeds } from '../publish/publish-feeds.js';
import { removeStaleTempFiles } from '../publish/write-file.js';
import type { SourceRecord, SqliteStore } from '../store/sqlite-store.js';

export interface PassOptions {
  sourcesDir: string;
  outDir: string;
  store: SqliteStore;
  overrides?: SiteOverrides;
  logger: Logger;
  now?: () => Date;
}

export interface SourceFailure {
  source: string;
  reason: string;
}

export interface PassSummary {
  sourcesOk: number;
  sourcesFailed: number;
  sourcesUnchanged: number;
  entriesNew: number;
  entriesUpdated: number;
  entriesUnchanged: number;
  filesWritten: number;
  filesUnchanged: number;
  durationMs: number;
  failures: SourceFailure[];
}

interface ReadResult {
  entries: Entry[];
  records: SourceRecord[];
  failures: SourceFailure[];
  ok: number;
  unchanged: number;
  unchangedEntries: number;
}

/** Runs one pass. Throws ConfigError or PublishError when nothing could be done at all. */
export async function runPass(options: PassOptions): Promise<PassSummary> {
  const now = options.now ?? (() => new Date());
  const startedMs = now().getTime();
  const clockStart = performance.now();
  const site = await loadSiteConfig(options.sourcesDir, options.overrides);
  const sources = listPageSources(options.sourcesDir);
  prepareOutDir(options.outDir);

  const read = readSources(sources, options, site, startedMs);
  const counts = options.store.applyPass(dedupeById(read.entries), read.records, startedMs);
  const published = publishFeeds(site, options.store, options.outDir);

  const summary: PassSummary = {
    // Fine in total: read this pass, or unchanged since the last one that read them.
    sourcesOk: read.ok + read.unchanged,
    sourcesFailed: read.failures.length,
    sourcesUnchanged: read.unchanged,
    entriesNew: counts.new,
    entriesUpdated: counts.updated,
    entriesUnchanged: counts.unchanged + read.unchangedEntries,
    filesWritten: published.written.length,
    filesUnchanged: published.unchanged.length,
    durationMs: Math.round(performance.now() - clockStart),
    failures: read.failures,
  };
  options.store.recordPass({ startedMs, ...summary });
  options.logger.info(
    {
      sources_ok: summary.sourcesOk,
      sources_failed: summary.sourcesFailed,
      sources_unchanged: summary.sourcesUnchanged,
      entries_new: summary.entriesNew,
      entries_updated: summary.entriesUpdated,
      entries_unchanged: summary.entriesUnchanged,
      files_written: summary.filesWritten,
      files_unchanged: summary.filesUnchanged,
      duration_ms: summary.durationMs,
    },
    'pass finished',
  );
  return summary;
}

function prepareOutDir(outDir: string): void {
  try {
    mkdirSync(outDir, { recursive: true });
    accessSync(outDir, constants.W_OK);
  } catch (error) {
    throw new PublishError(`output folder ${outDir} is not writable: ${describeError(error)}`, { cause: error });
  }
  removeStaleTempFiles(outDir);
}

/** What a source's entries depend on besides its bytes; a change means reading it again. */
function settingsFingerprint(site: SiteConfig): string {
  const settings = [NORMALIZE_VERSION, site.url, site.timezone, site.language ?? '', site.boilerplate];
  return createHash('sha1').update(JSON.stringify(settings)).digest('base64url');
}

function readSources(sources: string[], options: PassOptions, site: SiteConfig, nowMs: number): ReadResult {
  const fingerprint = settingsFingerprint(site);
  const known = options.store.sourceRecords();
  const result: ReadResult = { entries: [], records: [], failures: [], ok: 0, unchanged: 0, unchangedEntries: 0 };
  for (const source of sources) {
    const file = path.join(options.sourcesDir, source);
    const previous = known.get(source);
    const upToDate = previous?.status === 'ok' && previous.fingerprint === fingerprint;
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
      const record: SourceRecord = { source, kind: 'page', size: stat.size, mtimeMs: stat.mtimeMs, bytesHash, fingerprint, status: 'ok', entries: 0, lastAttemptMs: nowMs, lastSuccessMs: nowMs };
      // Touched but not edited: same bytes, same entries. Re-reading would re-date its briefs.
      if (upToDate && previous.bytesHash === bytesHash) {
        result.unchanged++;
        result.unchangedEntries += previous.entries;
        result.records.push({ ...record, entries: previous.entries });
        continue;
      }
      const capture = readCapture(decodePageBytes(bytes, source), source, stat.mtime);
      const entries = pageToEntries(capture, site);
      result.entries.push(...entries);
      result.records.push({ ...record, entries: entries.length });
      result.ok++;
    } catch (error) {
      const reason = error instanceof SourceError ? error.message : `cannot read page: ${describeError(error)}`;
      result.failures.push({ source, reason });
      options.logger.error({ source, file, stage: error instanceof SourceError ? error.stage : 'ingest', reason }, `page skipped: ${reason}`);
      result.records.push({
        source,
        kind: 'page',
        status: 'failed',
        error: reason,
        entries: previous?.entries ?? 0,
        lastAttemptMs: nowMs,
        ...(previous?.lastSuccessMs !== undefined ? { lastSuccessMs: previous.lastSuccessMs } : {}),
      });
    }
  }
  return result;
}

/** The same entry from several captures in one pass: the newest capture's version wins. */
function dedupeById(entries: Entry[]): Entry[] {
  const byId = new Map<string, Entry>();
  for (const entry of entries) {
    const seen = byId.get(entry.id);
    if (!seen || entry.capturedAt.getTime() > seen.capturedAt.getTime()) byId.set(entry.id, entry);
  }
  return [...byId.values()];
}
