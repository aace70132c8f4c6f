// One pass: read every source, store what changed, publish the feeds. A failing source is
// logged and skipped; its earlier entries stay in the feeds.
import { createHash } from 'node:crypto';
import { accessSync, constants, mkdirSync } from 'node:fs';
import type { Logger } from 'pino';
import { loadRemoteSources } from '../config/remote-sources.js';
import type { SiteOverrides } from '../config/site.js';
import { describeError, PublishError } from '../errors.js';
import { listSourceFiles } from '../ingest/page-sources.js';
import { LOCAL_PAGE_KIND, type PassObserver, type SiteConfig } from '../model.js';
import { NORMALIZE_VERSION } from '../normalize/entries.js';
import { checkOutPaths } from '../publish/out-paths.js';
import { publishDue } from '../publish/published-files.js';
import { publishSite } from '../publish/publish-site.js';
import { healthDiffers } from '../publish/status.js';
import { removeStaleTempFiles } from '../publish/write-file.js';
import type { PassRecord, SourceRecord, Store } from '../store/store.js';
import { optional } from '../optional.js';
import { killPoint } from '../shared/kill-point.js';
import { userAgent } from '../version.js';
import { EntryBatches } from './entry-batches.js';
import type { DocumentParser } from './parse-threads.js';
import { type PageListing, readPages } from './read-pages.js';
import { mergeReadResults, type SourceFailure } from './read-result.js';
import { loadPassSettings } from './site-settings.js';

export type { SourceFailure } from './read-result.js';

export interface PassOptions {
  sourcesDir: string;
  outDir: string;
  store: Store;
  overrides?: SiteOverrides;
  logger: Logger;
  now?: () => Date;
  observer?: PassObserver;
  /** The site's settings, when the caller has just read them; else read from sources/. */
  site?: SiteConfig;
  /** Where to leave gzip and br forms of the files published (beside the state, never in out/). */
  formsDir?: string;
  /** WebSub retry timing; tests shorten it. */
  hubRetry?: { attempts?: number; firstRetryMs?: number };
  /**
   * Distributed mode splits a pass: its pages job reads only the captured pages and leaves the
   * remote sources and the publishing to jobs of their own.
   */
  pagesOnly?: boolean;
}

/** The counts the state records for a pass, and what the caller needs beside them. */
export interface PassSummary extends Omit<PassRecord, 'startedMs'> {
  failures: SourceFailure[];
  /** Some source's health changed: status.json (and, with pagesOnly, a publish) is due. */
  healthChanged: boolean;
}

/** Runs one pass. Throws ConfigError or PublishError when nothing could be done at all. */
export async function runPass(options: PassOptions): Promise<PassSummary> {
  const now = options.now ?? (() => new Date());
  const startedMs = now().getTime();
  const clockStart = performance.now();
  const site = options.site ?? (await loadPassSettings(options.sourcesDir, options.overrides, options.store));
  const { pages, topLevel } = listSourceFiles(options.sourcesDir);
  const remote = loadRemoteSources(options.sourcesDir, topLevel);
  // A pages job writes nothing to out/, and must not sweep away a publish job's temporary files.
  if (!options.pagesOnly) {
    checkOutPaths(site, options.outDir);
    prepareOutDir(options.outDir);
  }

  const { store } = options;
  const fingerprint = settingsFingerprint(site);
  const context = { site, fingerprint, nowMs: startedMs, logger: options.logger };
  await store.beginPass(startedMs);
  // Marked before anything is stored, cleared by the publish that shows it (kill -9 in between).
  const due = publishDue(store);
  const batches = new EntryBatches(async (entries) => {
    await due.mark();
    await store.storeEntries(entries);
    killPoint('stored');
  });
  const parsers = new PassParsers(site.fetch.parseThreads);
  let pageResult: Awaited<ReturnType<typeof readPages>>;
  let remoteResult = mergeReadResults([]);
  // Every source's record, when remote sources needed them all; else they are asked one by one.
  let known: Map<string, SourceRecord> | undefined;
  try {
    pageResult = await readPages(pages, {
      ...context,
      stamps: () => store.pageStamps(LOCAL_PAGE_KIND, fingerprint),
      record: (source) => store.sourceRecord(source),
      records: () => store.sourceRecords(),
      parser: (count) => parsers.forPages(count),
      lastListing: parseListing(await store.meta(PAGE_LISTING_KEY)),
      sourcesDir: options.sourcesDir,
      storeEntries: (entries) => batches.add(entries),
    });
    if (!options.pagesOnly && (remote.sources.length > 0 || remote.invalid.length > 0)) {
      // Loaded only when there are remote sources: the HTTP client, parsers and sanitizer take
      // longer to load than a pass over thousands of unchanged pages takes to run.
      const [{ Fetcher }, { readRemoteSources }] = await Promise.all([import('../ingest/fetch.js'), import('./read-remote.js')]);
      const fetcher = new Fetcher({ ...site.fetch, maxRedirects: 5, userAgent: userAgent(site.url) });
      try {
        remoteResult = await readRemoteSources(remote.sources, remote.invalid, {
          ...context,
          known: (known = await store.sourceRecords()),
          fetcher,
          parser: await parsers.forSources(remote.sources.length),
          storeEntries: (entries) => batches.add(entries),
          ...(options.observer ? { observer: options.observer } : {}),
        });
      } finally {
        await fetcher.close();
      }
    }
  } finally {
    await parsers.close();
  }
  await batches.flush();
  const read = mergeReadResults([pageResult, remoteResult]);
  // Health changes only with a source's record; when none changed, status.json stays as it is.
  let healthChanged = false;
  for (const record of read.records) {
    if (healthDiffers(record, known ? known.get(record.source) : await store.sourceRecord(record.source))) {
      healthChanged = true;
      break;
    }
  }
  if (healthChanged) await due.mark();
  const counts = await store.endPass(read.records);
  const listing = pageResult.listing ? JSON.stringify(pageResult.listing) : undefined;
  if (listing !== (await store.meta(PAGE_LISTING_KEY))) await store.setMeta(PAGE_LISTING_KEY, listing);
  const publishing = {
    site,
    store,
    outDir: options.outDir,
    logger: options.logger,
    entriesChanged: counts.new + counts.updated > 0,
    healthChanged,
    ...optional('formsDir', options.formsDir),
    ...optional('hubRetry', options.hubRetry),
  };
  const published = options.pagesOnly ? { written: [], unchangedCount: 0, failed: [] } : await publishSite(publishing);
  for (const { feed, reason } of published.failed) read.failures.push({ source: `feed ${feed}`, reason });

  const summary: PassSummary = {
    // Fine in total: read this pass, or unchanged since the last one that read them.
    sourcesOk: read.ok + read.unchanged,
    sourcesFailed: read.failures.length,
    sourcesUnchanged: read.unchanged,
    entriesNew: counts.new,
    entriesUpdated: counts.updated,
    entriesUnchanged: counts.unchanged + read.unchangedEntries,
    filesWritten: published.written.length,
    filesUnchanged: published.unchangedCount,
    durationMs: Math.round(performance.now() - clockStart),
    failures: read.failures,
    healthChanged,
  };
  await store.recordPass({ startedMs, ...summary });
  for (const failure of summary.failures) options.observer?.sourceFailed(failure.source);
  options.observer?.passFinished(summary.durationMs);
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

const PAGE_LISTING_KEY = 'page_listing';

/**
 * One pool of parse threads for the whole pass, pages and remote sources alike, started by the
 * first reader with enough to parse; parse-threads.js is loaded only then.
 */
class PassParsers {
  private parser: DocumentParser | undefined;

  constructor(private readonly threads: number | undefined) {}

  forSources(sourceCount: number): Promise<DocumentParser> {
    return this.parserFor(sourceCount, (parseThreads) => this.threads ?? parseThreads.defaultParseThreads());
  }

  /** For many changed pages: as many threads as site.yaml says, else one core fewer than there are. */
  forPages(pageCount: number): Promise<DocumentParser> {
    return this.parserFor(pageCount, (parseThreads) => this.threads ?? parseThreads.defaultPageThreads());
  }

  private async parserFor(count: number, threads: (parseThreads: typeof import('./parse-threads.js')) => number): Promise<DocumentParser> {
    const parseThreads = await import('./parse-threads.js');
    // A reader with too little to parse got the inline parser; a later one with more may start threads.
    if (this.parser === undefined || this.parser === parseThreads.INLINE) this.parser = parseThreads.documentParser(count, threads(parseThreads));
    return this.parser;
  }

  async close(): Promise<void> {
    await this.parser?.close();
  }
}

function parseListing(stored: string | undefined): PageListing | undefined {
  return stored === undefined ? undefined : (JSON.parse(stored) as PageListing);
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
export function settingsFingerprint(site: SiteConfig): string {
  const settings = [NORMALIZE_VERSION, site.url, site.timezone, site.language ?? '', site.boilerplate];
  return createHash('sha1').update(JSON.stringify(settings)).digest('base64url');
}
