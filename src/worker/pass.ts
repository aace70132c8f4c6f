// One pass: read every source, store what changed, publish the feeds. A failing source is
// logged and skipped; its earlier entries stay in the feeds.
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { loadRemoteSources } from '../config/remote-sources.js';
import type { SiteOverrides } from '../config/site.js';
import { describeError, PublishError } from '../errors.js';
import { listSourceFiles } from '../ingest/page-sources.js';
import type { PassObserver, SiteConfig } from '../model.js';
import { NORMALIZE_VERSION } from '../normalize/entries.js';
import { writeCompressedForms } from '../publish/compressed-forms.js';
import { feedDocuments, windowsDigest } from '../publish/feed-windows.js';
import { FEED_FILES } from '../publish/file-names.js';
import type { PublishResult } from '../publish/publish-feeds.js';
import { LOCAL_PAGE_KIND, publishStatus, sourceHealth, STATUS_FILE } from '../publish/status.js';
import { removeStaleTempFiles } from '../publish/write-file.js';
import type { SourceRecord, Store } from '../store/store.js';
import { VERSION } from '../version.js';
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

/** Runs one pass. Throws ConfigError or PublishError when nothing could be done at all. */
export async function runPass(options: PassOptions): Promise<PassSummary> {
  const now = options.now ?? (() => new Date());
  const startedMs = now().getTime();
  const clockStart = performance.now();
  const site = options.site ?? (await loadPassSettings(options.sourcesDir, options.overrides, options.store));
  const { pages, topLevel } = listSourceFiles(options.sourcesDir);
  const remote = loadRemoteSources(options.sourcesDir, topLevel);
  prepareOutDir(options.outDir);

  const { store } = options;
  const fingerprint = settingsFingerprint(site);
  const context = { site, fingerprint, nowMs: startedMs, logger: options.logger };
  await store.beginPass(startedMs);
  const pageResult = await readPages(pages, {
    ...context,
    stamps: () => store.pageStamps(LOCAL_PAGE_KIND, fingerprint),
    record: (source) => store.sourceRecord(source),
    lastListing: parseListing(await store.meta(PAGE_LISTING_KEY)),
    sourcesDir: options.sourcesDir,
    storeEntries: (entries) => store.storeEntries(entries),
  });
  let remoteResult = mergeReadResults([]);
  if (remote.sources.length > 0 || remote.invalid.length > 0) {
    // Loaded only when there are remote sources: the HTTP client, parsers and sanitizer take
    // longer to load than a pass over thousands of unchanged pages takes to run.
    const [{ Fetcher }, { readRemoteSources }] = await Promise.all([import('../ingest/fetch.js'), import('./read-remote.js')]);
    const fetcher = new Fetcher({ ...site.fetch, maxRedirects: 5, userAgent: userAgent(site) });
    try {
      remoteResult = await readRemoteSources(remote.sources, remote.invalid, {
        ...context,
        known: await store.sourceRecords(),
        fetcher,
        storeEntries: (entries) => store.storeEntries(entries),
        ...(options.observer ? { observer: options.observer } : {}),
      });
    } finally {
      await fetcher.close();
    }
  }
  const read = mergeReadResults([pageResult, remoteResult]);
  // Health changes only with a source's record; when none changed, status.json stays as it is.
  let healthChanged = false;
  for (const record of read.records) {
    if (healthDiffers(record, await store.sourceRecord(record.source))) {
      healthChanged = true;
      break;
    }
  }
  const counts = await store.endPass(read.records);
  const listing = pageResult.listing ? JSON.stringify(pageResult.listing) : undefined;
  if (listing !== (await store.meta(PAGE_LISTING_KEY))) await store.setMeta(PAGE_LISTING_KEY, listing);
  const published = await publishIfChanged(site, store, options.outDir, counts.new + counts.updated > 0);
  if (options.formsDir) writeCompressedForms(options.outDir, published.written, options.formsDir);
  for (const { feed, reason } of published.failed) {
    options.logger.error({ feed, stage: 'render', reason }, `feed not written: ${reason}`);
    read.failures.push({ source: `feed ${feed}`, reason });
  }
  const statusWritten = healthChanged || !existsSync(path.join(options.outDir, STATUS_FILE)) ? publishStatus(await store.sourceRecords(), options.outDir) : false;
  if (site.hub) {
    const changed = changedFeedUrls(published.written, options.outDir, site);
    if (changed.length > 0) {
      const { notifyHub } = await import('../publish/websub.js');
      await notifyHub(changed, { hub: site.hub, userAgent: userAgent(site), logger: options.logger, ...options.hubRetry });
    }
  }

  const summary: PassSummary = {
    // Fine in total: read this pass, or unchanged since the last one that read them.
    sourcesOk: read.ok + read.unchanged,
    sourcesFailed: read.failures.length,
    sourcesUnchanged: read.unchanged,
    entriesNew: counts.new,
    entriesUpdated: counts.updated,
    entriesUnchanged: counts.unchanged + read.unchangedEntries,
    filesWritten: published.written.length + (statusWritten ? 1 : 0),
    filesUnchanged: published.unchangedCount + (statusWritten ? 0 : 1),
    durationMs: Math.round(performance.now() - clockStart),
    failures: read.failures,
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

// Raise when rendered output changes for the same entries and settings.
const RENDER_VERSION = 1;

/**
 * Renders and writes the feeds, unless nothing could have changed them: the site's settings are
 * those of the last publish, its files are still there, and either no entry is new or updated, or
 * none that changed is in a feed's window (an edit to an old brief changes no file).
 */
async function publishIfChanged(site: SiteConfig, store: Store, outDir: string, entriesChanged: boolean): Promise<PublishOutcome> {
  const publishKey = createHash('sha1').update(JSON.stringify([RENDER_VERSION, site])).digest('base64url');
  const unchanged = { written: [], unchangedCount: Number((await store.meta('published_files')) ?? 0), failed: [] };
  const filesThere = existsSync(path.join(outDir, FEED_FILES.rss));
  const settingsSame = (await store.meta('publish_key')) === publishKey;
  if (!entriesChanged && settingsSame && filesThere) return unchanged;
  const windows = await feedDocuments(site, store);
  const digest = windowsDigest(windows, RENDER_VERSION);
  if (settingsSame && filesThere && (await store.meta('published_windows')) === digest) return unchanged;
  // The renderers load only when there is something to render.
  const { publishFeeds } = await import('../publish/publish-feeds.js');
  const published = await publishFeeds(site, store, outDir, windows);
  await store.setMeta('publish_key', publishKey);
  await store.setMeta('published_files', String(published.written.length + published.unchanged.length));
  // A feed that failed to render is tried again next pass, even with the same windows.
  await store.setMeta('published_windows', published.failed.length === 0 ? digest : undefined);
  return { written: published.written, unchangedCount: published.unchanged.length, failed: published.failed };
}

interface PublishOutcome extends Omit<PublishResult, 'unchanged'> {
  unchangedCount: number;
}

const PAGE_LISTING_KEY = 'page_listing';

function parseListing(stored: string | undefined): PageListing | undefined {
  return stored === undefined ? undefined : (JSON.parse(stored) as PageListing);
}

function healthDiffers(record: SourceRecord, before: SourceRecord | undefined): boolean {
  return before === undefined || JSON.stringify(sourceHealth(record)) !== JSON.stringify(sourceHealth(before));
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

/** Public URLs of the feed files a pass rewrote: what a WebSub hub is told about. */
function changedFeedUrls(written: readonly string[], outDir: string, site: SiteConfig): string[] {
  const feedFiles = new Set<string>(Object.values(FEED_FILES));
  return written
    .map((file) => path.relative(outDir, file).split(path.sep).join('/'))
    .filter((relative) => feedFiles.has(path.posix.basename(relative)) && !relative.startsWith('archive/'))
    .map((relative) => `${site.url}${relative}`);
}

/** Names feedloom, its version, and the site polling, so publishers can see who fetches. */
function userAgent(site: SiteConfig): string {
  return `feedloom/${VERSION} (+${site.url})`;
}
