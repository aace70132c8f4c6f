// Everything a pass publishes after it has stored what it read: the feeds and their pages (only
// when something they show changed), status.json, and a WebSub ping. The gzip and br forms of
// what it wrote are made once the publish is recorded (leaveCompressedForms).
// A single-process pass calls it at its end; in distributed mode one publish job at a time does.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { SiteConfig } from '../model.js';
import type { Store } from '../store/store.js';
import { readWatermark, WATERMARKS, writeWatermark } from '../store/watermarks.js';
import { userAgent, VERSION } from '../version.js';
import { feedDocuments, windowsDigest } from './feed-windows.js';
import { ARCHIVE_FOLDER, FEED_FILES, STATUS_FILE } from '../layout.js';
import { clearPublishDue, duePublish, fileIntact, publishedFilesIntact, readPublishedFiles, recordPublishedFiles } from './published-files.js';
import { publishStatus } from './status.js';

export interface PublishSiteOptions {
  site: SiteConfig;
  store: Store;
  outDir: string;
  logger: Logger;
  /** Some entry is new or updated since the last publish (else only settings can have changed). */
  entriesChanged: boolean;
  /** Some source's health changed, so status.json needs writing. */
  healthChanged: boolean;
  /** WebSub retry timing; tests shorten it. */
  hubRetry?: { attempts?: number; firstRetryMs?: number };
}

export interface PublishSiteResult {
  /** Every file written, status.json included when it was. */
  written: string[];
  /** The feeds and pages among them: what readers poll, so what gets compressed forms. */
  feedFilesWritten: string[];
  unchangedCount: number;
  /** Feeds that could not be rendered; their files keep their last good version. */
  failed: { feed: string; reason: string }[];
}

export async function publishSite(options: PublishSiteOptions): Promise<PublishSiteResult> {
  const { site, store, outDir, logger } = options;
  // A pass that changed the state and died before publishing it left this mark.
  const due = await duePublish(store);
  const feeds = await publishIfChanged(site, store, outDir, options.entriesChanged || due.feeds);
  for (const { feed, reason } of feeds.failed) logger.error({ feed, stage: 'render', reason }, `feed not written: ${reason}`);
  const statusWritten = options.healthChanged || due.status || !existsSync(path.join(outDir, STATUS_FILE)) ? publishStatus(await store.sourceRecords(), outDir) : false;
  if (site.hub) {
    const changed = changedFeedUrls(feeds.written, outDir, site);
    if (changed.length > 0) {
      const { notifyHub } = await import('./websub.js');
      await notifyHub(changed, { hub: site.hub, userAgent: userAgent(site.url), logger, ...options.hubRetry });
    }
  }
  if ((due.feeds || due.status) && feeds.failed.length === 0) await clearPublishDue(store);
  const statusFile = path.join(outDir, STATUS_FILE);
  return {
    written: statusWritten ? [...feeds.written, statusFile] : feeds.written,
    feedFilesWritten: feeds.written,
    unchangedCount: feeds.unchangedCount + (statusWritten ? 0 : 1),
    failed: feeds.failed,
  };
}

/**
 * Renders and writes the feeds, unless nothing could have changed them: the site's settings are
 * those of the last full publish, every file it wrote is still in out/ as it left it, and either
 * no entry is new or updated, or none that changed is in a feed's window (an edit to an old
 * brief changes no file).
 */
async function publishIfChanged(site: SiteConfig, store: Store, outDir: string, entriesChanged: boolean): Promise<Omit<PublishSiteResult, 'feedFilesWritten'>> {
  // Rendered output may change with any version of feedloom: the version is in the publish key.
  const publishKey = createHash('sha1').update(JSON.stringify([VERSION, site])).digest('base64url');
  const unchanged = { written: [], unchangedCount: (await readWatermark(store, WATERMARKS.publishedFileCount)) ?? 0, failed: [] };
  const manifest = await readPublishedFiles(store);
  const filesThere = publishedFilesIntact(outDir, manifest);
  const settingsSame = (await readWatermark(store, WATERMARKS.publishKey)) === publishKey;
  if (!entriesChanged && settingsSame && filesThere) return unchanged;
  const windows = await feedDocuments(site, store);
  const digest = windowsDigest(windows, VERSION);
  if (settingsSame && filesThere && (await readWatermark(store, WATERMARKS.publishedWindows)) === digest) return unchanged;
  // From here until every file is in place, out/ may hold a mix of old and new files: the state
  // says so by holding no record of them, so a publish cut short is done again by the next pass.
  await recordPublishedFiles(store, outDir, undefined);
  // The renderers load only when there is something to render.
  const { publishFeeds } = await import('./publish-feeds.js');
  const published = await publishFeeds(site, store, outDir, windows, fileIntact(outDir, manifest));
  await writeWatermark(store, WATERMARKS.publishKey, publishKey);
  await writeWatermark(store, WATERMARKS.publishedFileCount, published.written.length + published.unchanged.length);
  // A feed that failed to render is tried again next pass, even with the same windows.
  await writeWatermark(store, WATERMARKS.publishedWindows, published.failed.length === 0 ? digest : undefined);
  if (published.failed.length === 0) await recordPublishedFiles(store, outDir, [...published.written, ...published.unchanged]);
  return { written: published.written, unchangedCount: published.unchanged.length, failed: published.failed };
}

/** Public URLs of the feed files a pass rewrote: what a WebSub hub is told about. */
function changedFeedUrls(written: readonly string[], outDir: string, site: SiteConfig): string[] {
  const feedFiles = new Set<string>(Object.values(FEED_FILES));
  return written
    .map((file) => path.relative(outDir, file).split(path.sep).join('/'))
    .filter((relative) => feedFiles.has(path.posix.basename(relative)) && !relative.startsWith(`${ARCHIVE_FOLDER}/`))
    .map((relative) => `${site.url}${relative}`);
}
