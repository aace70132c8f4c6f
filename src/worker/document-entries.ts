// One fetched document -> entries: decode, parse as the source's kind says, normalize. Pure: no
// I/O, no clock (the fetch time comes in), no logging (skipped items come back as reasons), so
// it runs the same on the pass's thread or on a parse thread (parse-threads.ts).
import type { RemoteSourceDef } from '../config/remote-sources.js';
import { decodeDocument, decodeHtmlPage } from '../ingest/charset.js';
import { readCapture } from '../ingest/page-file.js';
import type { Capture, Entry, SiteConfig } from '../model.js';
import { type PageWarning, pageToEntries } from '../normalize/entries.js';
import { optional } from '../optional.js';
import type { PageDating, PageExtraction } from './extraction-health.js';

export interface DocumentJob {
  source: RemoteSourceDef;
  body: Uint8Array;
  contentType: string | undefined;
  /** Where the document came from, after redirects: relative links resolve against it. */
  documentUrl: string;
  site: SiteConfig;
  fetchedAtMs: number;
}

export interface DocumentEntries {
  entries: Entry[];
  /** Items left out, each with the reason, for the log. */
  skipped: string[];
  /** What is worth saying about a page that was read whole (two briefs at one time and topic). */
  warnings?: PageWarning[];
  /** An HTML page read without selectors: what its lists gave, and how its briefs were dated. */
  extraction?: PageExtraction;
  dating?: PageDating;
}

export async function documentEntries(job: DocumentJob): Promise<DocumentEntries> {
  const { source, site, documentUrl } = job;
  const isHtmlPage = source.kind === 'page' && source.format === 'html';
  const text = isHtmlPage ? decodeHtmlPage(job.body, job.contentType).text : decodeDocument(job.body, job.contentType);
  const fetchedAt = new Date(job.fetchedAtMs);
  const sourceSettings = { ...optional('timezone', source.timezone), ...optional('language', source.language) };
  // The parsers and the sanitizer load on the first document that needs them: a pass in which
  // every source answers 304 never does.
  if (source.kind === 'feed') {
    const [{ parseFeedDocument }, { feedToEntries }] = await Promise.all([import('../ingest/feed-document.js'), import('../normalize/feed-items.js')]);
    const feed = await parseFeedDocument(text, source.id);
    const entries = feedToEntries(feed, { source: source.id, ...sourceSettings, ...optional('maxEntries', source.maxEntries), site, documentUrl, fetchedAt });
    return { entries, skipped: feed.skipped };
  }
  if (isHtmlPage && Object.keys(source.selectors).length === 0) {
    const { htmlPageEntries } = await import('./html-page-entries.js');
    // The page's canonical link names it; the address it was fetched from is the fallback.
    const read = htmlPageEntries(text, { source: source.id, meta: sourceSettings, capturedAt: fetchedAt, savedFromUrl: documentUrl }, site);
    const entries = source.maxEntries ? read.entries.slice(0, source.maxEntries) : read.entries;
    return { entries, skipped: [], extraction: read.extraction, dating: read.dating, ...(read.warnings.length > 0 ? { warnings: read.warnings } : {}) };
  }
  const meta = { url: documentUrl, ...sourceSettings };
  let capture: Capture;
  if (isHtmlPage) {
    const { readHtmlPage } = await import('../ingest/html-page.js');
    capture = readHtmlPage(text, source.selectors, source.id, meta, fetchedAt);
  } else {
    const read = readCapture(text, source.id, fetchedAt);
    capture = { ...read, meta: { ...meta, ...read.meta } };
  }
  const warnings: PageWarning[] = [];
  const entries = pageToEntries(capture, site, (warning) => warnings.push(warning));
  return { entries: source.maxEntries ? entries.slice(0, source.maxEntries) : entries, skipped: [], ...(warnings.length > 0 ? { warnings } : {}) };
}
