// An HTML news page read without selectors -> entries: its lead and timestamped briefs found and
// dated (news-page.ts), then made entries (normalize/news-page-entries.ts). One composition for
// captured *.html pages and for remote pages alike. Pure: no clock (the capture time comes in),
// no logging (what is worth saying comes back).
import type { Entry, PageMeta, SiteConfig } from '../model.js';
import type { NewsPageContext } from '../news-page-model.js';
import { newsPageToEntries } from '../normalize/news-page-entries.js';
import type { PageWarning } from '../normalize/entries.js';
import type { PageDating, PageExtraction } from './extraction-health.js';
import { extractNewsPage } from './news-page.js';

export interface HtmlPageOrigin {
  source: string;
  /** Front matter, or a remote source's settings: they win over what the page says. */
  meta: PageMeta;
  capturedAt: Date;
  /** The address a capture tool noted, below the page's own canonical link. */
  savedFromUrl?: string;
}

export interface HtmlPageRead {
  entries: Entry[];
  extraction: PageExtraction;
  /** For the debug log. */
  dating: PageDating;
  /** What the caller should say about the page. */
  warnings: PageWarning[];
}

export function htmlPageEntries(html: string, origin: HtmlPageOrigin, site: SiteConfig): HtmlPageRead {
  const extract = extractNewsPage(html, newsPageContext(origin, site.timezone));
  // A page with nothing for a feed (a TV listing, an index of files) is read fine and gives no
  // entry; it is said once, as the page is read, not failed on every pass.
  const warnings: PageWarning[] =
    !extract.lead && extract.briefs.length === 0 ? [{ code: 'PAGE_NOTHING_FOUND', reason: `no lead story and no timestamped briefs found on the page (${extract.rejected.length} candidate lists turned down; feedloom inspect shows why)` }] : [];
  const entries = newsPageToEntries(extract, origin, site);
  const lists = extract.lists.filter((list) => list.briefs.length > 0).map((list) => list.label);
  return {
    entries,
    extraction: { briefs: entries.filter((entry) => entry.kind === 'brief').length, lists },
    dating: { zone: extract.timeZone, disagreements: extract.disagreements },
    warnings,
  };
}

/** What the news-page reader is told of a page: its meta wins; its zone, else the site's, dates its briefs. */
export function newsPageContext(origin: HtmlPageOrigin, siteZone: string): NewsPageContext {
  const { meta, capturedAt } = origin;
  return {
    ...(meta.url ? { url: meta.url } : {}),
    ...(origin.savedFromUrl ? { fallbackUrl: origin.savedFromUrl } : {}),
    capturedAt,
    timeZone: meta.timezone ?? siteZone,
    timeZoneExplicit: meta.timezone !== undefined,
    ...(meta.language ? { language: meta.language } : {}),
  };
}
