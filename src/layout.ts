// What out/ holds, where, and at which public address: the one module that knows. Publish writes
// these files, render is handed the URLs made here, serve and config read the names, and nothing
// else spells a file name or folder of out/.
//
//   out/index.html  feeds.opml  status.json  feed.xsl     the site
//   out/{rss.xml,atom.xml,feed.json,feed.html}             the default feed
//   out/<feed>/{rss.xml,atom.xml,feed.json,feed.html}      every configured feed
//   out/entries/<name>.html                               an entry without a page of its own
//   out/archive/<feed>/<n>.xml                            RFC 5005 archive pages (Atom)
import { createHash } from 'node:crypto';

export const FEED_FILES = { rss: 'rss.xml', atom: 'atom.xml', json: 'feed.json' } as const;
/** The human-readable page beside a feed's files. */
export const FEED_PAGE_FILE = 'feed.html';
export const INDEX_FILE = 'index.html';
export const OPML_FILE = 'feeds.opml';
export const STATUS_FILE = 'status.json';
export const STYLESHEET_FILE = 'feed.xsl';
export const ENTRY_PAGES_FOLDER = 'entries';
export const ARCHIVE_FOLDER = 'archive';
/** The default feed has no id of its own: its feed id and archive folder are made from this name. */
export const DEFAULT_FEED_KEY = 'default';

/**
 * Feed ids no configured feed may take: a feed's folder sits beside these folders, and the
 * default feed's key would be shared.
 */
export const RESERVED_FEED_IDS: readonly string[] = [ENTRY_PAGES_FOLDER, ARCHIVE_FOLDER, DEFAULT_FEED_KEY];

/** The name a feed's id and archive folder are made from. */
export function feedKey(feedId: string): string {
  return feedId || DEFAULT_FEED_KEY;
}

/** A feed's folder relative to out/ and to the site URL: '' for the default feed, else `<id>/`. */
export function feedFolder(feedId: string): string {
  return feedId === '' ? '' : `${feedId}/`;
}

export function feedFileUrls(siteUrl: string, feedId: string): { rss: string; atom: string; json: string } {
  const base = `${siteUrl}${feedFolder(feedId)}`;
  return { rss: `${base}${FEED_FILES.rss}`, atom: `${base}${FEED_FILES.atom}`, json: `${base}${FEED_FILES.json}` };
}

/** The stylesheet as a feed in `folder` (a feedFolder or an archive folder) links to it. */
export function stylesheetHref(folder: string): string {
  const depth = folder.split('/').filter(Boolean).length;
  return `${'../'.repeat(depth)}${STYLESHEET_FILE}`;
}

/**
 * The page publish writes for an entry with no page of its own, relative to out/. One scheme for
 * every entry, whichever source it came from: a urn:uuid id names its page by the UUID, any other
 * id by a hash of it (ids are IRIs of any length and alphabet; file names are neither).
 */
export function entryPagePath(entryId: string): string {
  const uuid = /^urn:uuid:([0-9a-f-]{36})$/.exec(entryId)?.[1];
  const name = uuid ?? createHash('sha1').update(entryId).digest('hex').slice(0, 32);
  return `${ENTRY_PAGES_FOLDER}/${name}.html`;
}

export function entryPageUrl(siteUrl: string, entryId: string): string {
  return `${siteUrl}${entryPagePath(entryId)}`;
}

/** Whether `url` is the page publish writes for entry `entryId`, at any site address. */
export function isEntryPageUrl(url: string, entryId: string): boolean {
  return url.endsWith(`/${entryPagePath(entryId)}`);
}

/** Where readers find an entry: its own page, else the page publish writes for it. */
export function entryUrl(siteUrl: string, entry: { id: string; link?: string }): string {
  return entry.link ?? entryPageUrl(siteUrl, entry.id);
}

export function archivePagePath(feedKey: string, number: number): string {
  return `${ARCHIVE_FOLDER}/${feedKey}/${number}.xml`;
}

export function archivePageUrl(siteUrl: string, feedKey: string, number: number): string {
  return `${siteUrl}${archivePagePath(feedKey, number)}`;
}

/** Entry pages and archive pages: written once and read now and then, unlike the feeds. */
export function isRarelyReadFile(relative: string): boolean {
  const top = relative.split(/[\\/]/, 1)[0];
  return top === ENTRY_PAGES_FOLDER || top === ARCHIVE_FOLDER;
}
