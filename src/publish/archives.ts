// RFC 5005 archived feeds: entries that fall out of a feed's newest window are written to
// archive documents, out/archive/<feed>/<n>.xml (Atom), oldest first. A page is written once
// and never changes; each links to the one before it (prev-archive) and to the current feed,
// and the current feed links to the newest page, so an aggregator can walk the whole history.
import path from 'node:path';
import { sourceMatcher } from '../shared/source-glob.js';
import type { FeedDocument, StoredEntry } from '../model.js';
import { archivePagePath, archivePageUrl, feedKey, stylesheetHref } from '../layout.js';
import { feedId } from '../shared/ids.js';
import { renderArchiveAtom } from '../render/feed-xml.js';
import type { Store } from '../store/store.js';
import { writeIfChanged } from './write-file.js';

/** Entries per archive document. */
export const ARCHIVE_PAGE_SIZE = 100;

export function archiveKey(document: FeedDocument): string {
  return feedKey(document.config.id);
}

/** The archive files a publish wrote, and those it found in place. */
export interface ArchiveFiles {
  written: string[];
  unchanged: string[];
}

/**
 * Archives what has fallen out of `document`'s window since the last pass, and returns the URL
 * of the newest archive page (for the current feed's prev-archive link), if there is one.
 * `intact` tells a page file the last full publish left in out/ from one that is gone or was
 * changed since: those are written again from the entries the page was written with.
 */
export async function archiveFeed(document: FeedDocument, store: Store, outDir: string, files: ArchiveFiles, intact: (file: string) => boolean): Promise<string | undefined> {
  const { config } = document;
  const key = archiveKey(document);
  let number = await store.archivePageCount(key);
  for (let written = 1; written <= number; written++) {
    const file = path.join(outDir, archivePagePath(key, written));
    if (intact(file)) {
      files.unchanged.push(file);
      continue;
    }
    const ids = (await store.archivePageEntryIds(key, written)) ?? [];
    const entries = (await Promise.all(ids.map((id) => store.entry(id)))).filter((entry) => entry !== undefined);
    writeArchivePage(document, key, written, entries, file, files);
  }
  const last = document.entries.at(-1);
  // Until the window is full, nothing has fallen out of it.
  const below = last && document.entries.length >= config.limit ? await store.unarchivedEntriesAfter(key, config.filter, sourceMatcher(config.filter.sources), last) : [];
  // One story, one place: a copy of a story (same link) that the window or this batch already
  // holds is settled without being archived again.
  const links = new Set(document.entries.flatMap((entry) => entry.link ?? []));
  const fallen = below.filter((entry) => entry.link === undefined || (!links.has(entry.link) && links.add(entry.link)));
  const copies = below.filter((entry) => !fallen.includes(entry));
  if (copies.length > 0) await store.settleWithoutArchiving(key, copies.map((entry) => entry.id));
  for (let start = 0; start < fallen.length; start += ARCHIVE_PAGE_SIZE) {
    const page = fallen.slice(start, start + ARCHIVE_PAGE_SIZE);
    number++;
    writeArchivePage(document, key, number, page, path.join(outDir, archivePagePath(key, number)), files);
    await store.addArchivePage(key, number, page.map((entry) => entry.id));
  }
  return number > 0 ? archivePageUrl(document.site.url, key, number) : undefined;
}

/** Archive page `number` of a feed, from its entries oldest first. */
function writeArchivePage(document: FeedDocument, key: string, number: number, page: readonly StoredEntry[], file: string, files: ArchiveFiles): void {
  const { site } = document;
  const pageUrl = archivePageUrl(site.url, key, number);
  const archive: FeedDocument = {
    ...document,
    id: feedId(site.idNamespace, `${key}/archive/${number}`),
    atomUrl: pageUrl,
    stylesheetHref: stylesheetHref(path.posix.dirname(archivePagePath(key, number))),
    // Newest first, as in every feed document.
    entries: [...page].reverse(),
  };
  // The first page has no page before it. It names the page after it instead, where the next
  // archived entries will go: an archive needs a neighbour to be one (and the W3C validator
  // warns without), and a later page must never make an earlier one change.
  const neighbour = number > 1 ? { prevArchive: archivePageUrl(site.url, key, number - 1) } : { nextArchive: archivePageUrl(site.url, key, number + 1) };
  const xml = renderArchiveAtom(archive, { current: document.atomUrl, ...neighbour });
  (writeIfChanged(file, xml) ? files.written : files.unchanged).push(file);
}
