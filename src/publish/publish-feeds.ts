// Store -> rendered feeds -> files in out/. One folder per configured feed, the default at the top.
import path from 'node:path';
import { describeError } from '../errors.js';
import { entryPagePath, FEED_FILES, FEED_PAGE_FILE, INDEX_FILE, OPML_FILE, STYLESHEET_FILE } from '../layout.js';
import type { FeedDocument, SiteConfig } from '../model.js';
import { renderEntryPage } from '../render/entry-page.js';
import { feedUpdated, renderAtom, renderRss } from '../render/feed-xml.js';
import { FEED_STYLESHEET } from '../render/feed-stylesheet.js';
import { renderIndexPage } from '../render/index-page.js';
import { renderFeedPage } from '../render/feed-page.js';
import { renderOpml, type OpmlOutline } from '../render/opml.js';
import { renderJsonFeed } from '../render/json-feed.js';
import type { Store } from '../store/store.js';
import { archiveFeed } from './archives.js';
import { feedDocuments } from './feed-windows.js';
import { writeIfChanged } from './write-file.js';

function feedOutline(document: FeedDocument): OpmlOutline {
  const description = document.config.description ?? document.site.description;
  return { title: document.config.title, xmlUrl: document.rssUrl, htmlUrl: document.homeUrl, description };
}

function newestChange(documents: readonly FeedDocument[]): Date | undefined {
  const newest = Math.max(0, ...documents.map((document) => feedUpdated(document).getTime()));
  return newest > 0 ? new Date(newest) : undefined;
}

export interface PublishResult {
  written: string[];
  unchanged: string[];
  /** Feeds that could not be rendered; their files keep their last good version. */
  failed: { feed: string; reason: string }[];
}

/**
 * Renders every feed, and the pages its entries link to, and writes the files whose bytes changed.
 * `windows`: the feeds as feedDocuments read them, when the caller has just done so;
 * `archiveIntact`: which archive pages are in out/ as they were written (see archiveFeed).
 */
export async function publishFeeds(site: SiteConfig, store: Store, outDir: string, windows?: FeedDocument[], archiveIntact: (file: string) => boolean = () => false): Promise<PublishResult> {
  const result: PublishResult = { written: [], unchanged: [], failed: [] };
  const done = new Set<string>();
  const write = (file: string, content: string) => {
    // An entry in several feeds gets its page written once.
    if (done.has(file)) return;
    done.add(file);
    (writeIfChanged(file, content) ? result.written : result.unchanged).push(file);
  };
  const documents: FeedDocument[] = [];
  for (const document of windows ?? (await feedDocuments(site, store))) {
    const { config } = document;
    if (site.archive) {
      const newest = await archiveFeed(document, store, outDir, result, archiveIntact);
      if (newest) document.prevArchiveUrl = newest;
    }
    documents.push(document);
    const folder = path.join(outDir, config.id);
    let files: [string, string][];
    try {
      files = [
        [FEED_FILES.rss, renderRss(document)],
        [FEED_FILES.atom, renderAtom(document)],
        [FEED_FILES.json, renderJsonFeed(document)],
        [FEED_PAGE_FILE, renderFeedPage(document)],
      ];
    } catch (error) {
      // One feed that cannot be rendered must not stop the others from being published.
      result.failed.push({ feed: config.id || '(default)', reason: `render: ${describeError(error)}` });
      continue;
    }
    for (const [name, content] of files) write(path.join(folder, name), content);
    for (const entry of document.entries) {
      if (entry.link === undefined) write(path.join(outDir, entryPagePath(entry.id)), renderEntryPage(entry, site));
    }
  }
  // What people and readers look for beside the feeds: a page, a subscription list, a stylesheet.
  write(path.join(outDir, INDEX_FILE), renderIndexPage(site, documents));
  write(path.join(outDir, OPML_FILE), renderOpml(site.title, documents.map(feedOutline), newestChange(documents)));
  write(path.join(outDir, STYLESHEET_FILE), FEED_STYLESHEET);
  return result;
}
