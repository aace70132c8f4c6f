// What each feed would show now: its config, its public URLs and its window of newest entries,
// read from the store without loading any renderer. Every file a publish writes follows from
// these windows and the site's settings, so equal windows mean there is nothing to render.
import { createHash } from 'node:crypto';
import { sourceMatcher } from '../shared/source-glob.js';
import type { FeedConfig, FeedDocument, SiteConfig } from '../model.js';
import { feedFileUrls, feedFolder, feedKey, stylesheetHref } from '../layout.js';
import { feedId } from '../shared/ids.js';
import type { Store } from '../store/store.js';

export async function feedDocument(config: FeedConfig, site: SiteConfig, store: Store): Promise<FeedDocument> {
  const urls = feedFileUrls(site.url, config.id);
  return {
    config,
    site,
    id: feedId(site.idNamespace, feedKey(config.id)),
    homeUrl: site.url,
    rssUrl: urls.rss,
    atomUrl: urls.atom,
    jsonUrl: urls.json,
    stylesheetHref: stylesheetHref(feedFolder(config.id)),
    entries: await store.feedEntries(config.filter, config.limit, sourceMatcher(config.filter.sources)),
  };
}

export async function feedDocuments(site: SiteConfig, store: Store): Promise<FeedDocument[]> {
  const documents: FeedDocument[] = [];
  for (const config of site.feeds) documents.push(await feedDocument(config, site, store));
  return documents;
}

/** One digest of every window: which entries, in which version, under which settings. */
export function windowsDigest(documents: readonly FeedDocument[], version: string): string {
  const hash = createHash('sha1').update(JSON.stringify([version, documents[0]?.site ?? null]));
  for (const document of documents) {
    hash.update(`\n${document.config.id}`);
    for (const entry of document.entries) hash.update(`\n${entry.id} ${entry.updated.getTime()} ${entry.contentHash}`);
  }
  return hash.digest('base64url');
}
