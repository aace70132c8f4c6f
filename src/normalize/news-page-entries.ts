// A news page's extract -> feed entries: one for the lead story, when the page has one, and one
// per brief. Pure. A brief with a link of its own is that link, so it stays one entry across
// captures, lists and edits of its text; one without is its day, time and title on its page.
import type { Brief, NewsPageExtract, NewsPageLead } from '../news-page-model.js';
import type { Entry, PageMeta, SiteConfig } from '../model.js';
import { paragraphsToHtml } from '../shared/paragraphs.js';
import { leadId, urnUuid } from '../shared/ids.js';
import { civilDateAt, formatCivilDate, wallTimeAt } from './dates.js';
import { paragraphsWithinLimit, summaryWithinLimit } from './entry-limits.js';
import { MAX_TITLE_LENGTH } from './entries.js';
import { cleanLine, truncateAtWord } from './text.js';
import { resolveLink, withoutFragment } from './urls.js';

/** What is known of the captured page besides its extract. */
export interface NewsPageOrigin {
  /** Path relative to sources/, or a remote source's id. */
  source: string;
  /** Front matter (or a remote source's settings): these win over what the page says. */
  meta: PageMeta;
  capturedAt: Date;
}

export function newsPageToEntries(extract: NewsPageExtract, origin: NewsPageOrigin, site: SiteConfig): Entry[] {
  const given = origin.meta.url ?? extract.url;
  const pageUrl = given ? withoutFragment(given) : undefined;
  const page: PageFacts = {
    pageUrl,
    pageKey: pageUrl ?? `file:${origin.source}`,
    language: origin.meta.language ?? extract.language ?? site.language,
    zone: extract.timeZone.zone,
  };
  const entries: Entry[] = [];
  if (extract.lead) entries.push(leadEntry(extract.lead, origin, site, page));
  const seen = new Set<string>();
  for (const brief of extract.briefs) {
    // A "latest" column often lists the story it sits beside: the lead stands for it.
    if (extract.lead && page.pageUrl !== undefined && resolveLink(brief.link, page.pageUrl) === page.pageUrl) continue;
    const entry = briefEntry(brief, origin, site, page);
    // Two briefs that come to one identity are one entry: the first, newest, is kept.
    if (seen.has(entry.id)) continue;
    seen.add(entry.id);
    entries.push(entry);
  }
  return entries;
}

interface PageFacts {
  pageUrl: string | undefined;
  /** What the page's linkless briefs are identified within: its URL, else its path. */
  pageKey: string;
  language: string | undefined;
  zone: string;
}

function leadEntry(lead: NewsPageLead, origin: NewsPageOrigin, site: SiteConfig, { pageUrl, pageKey, language }: PageFacts): Entry {
  const { meta } = origin;
  const paragraphs = lead.paragraphs.length > 0 ? lead.paragraphs : [lead.summary ?? lead.title];
  const body = paragraphsWithinLimit(paragraphs);
  const author = meta.author ?? (lead.author ? { name: lead.author } : undefined);
  return {
    id: leadId(site.idNamespace, pageKey),
    kind: 'lead',
    source: origin.source,
    title: truncateAtWord(cleanLine(meta.title ?? lead.title), MAX_TITLE_LENGTH),
    summary: summaryWithinLimit(lead.summary ?? paragraphs[0]!),
    contentText: body.join('\n\n'),
    contentHtml: paragraphsToHtml(body),
    ...(pageUrl ? { link: pageUrl, pageUrl } : {}),
    categories: [],
    authors: author ? [author] : [],
    enclosures: [],
    ...(language ? { language } : {}),
    published: meta.published ?? lead.published ?? origin.capturedAt,
    capturedAt: origin.capturedAt,
  };
}

function briefEntry(brief: Brief, origin: NewsPageOrigin, site: SiteConfig, { pageUrl, pageKey, language, zone }: PageFacts): Entry {
  const link = ownLink(brief.link, pageUrl);
  const text = brief.text ?? brief.title;
  const body = paragraphsWithinLimit(text.split(/\n{2,}/));
  return {
    id: link ? urnUuid(site.idNamespace, 'linked-brief', link) : linklessBriefId(site.idNamespace, pageKey, brief, zone),
    kind: 'brief',
    source: origin.source,
    title: truncateAtWord(cleanLine(brief.title), MAX_TITLE_LENGTH),
    summary: summaryWithinLimit(cleanLine(text)),
    contentText: body.join('\n\n'),
    contentHtml: paragraphsToHtml(body),
    ...(link ? { link } : {}),
    ...(pageUrl ? { pageUrl } : {}),
    categories: [],
    authors: [],
    enclosures: [],
    ...(language ? { language } : {}),
    published: brief.published,
    capturedAt: origin.capturedAt,
  };
}

/**
 * The brief's own page: its link resolved and stripped of tracking parameters. A link to the
 * page it is on, fragment aside, is not one: each update of a live blog may link to the blog.
 * A fragment is kept, since it is what tells one update of a live blog from the next.
 */
function ownLink(href: string | undefined, pageUrl: string | undefined): string | undefined {
  const link = resolveLink(href, pageUrl ?? 'https://invalid.invalid/');
  if (!link || link.startsWith('https://invalid.invalid/')) return undefined;
  return pageUrl !== undefined && link === pageUrl ? undefined : link;
}

/** Day and minute in the page's zone, and the title compared without case, within the page. */
function linklessBriefId(namespace: string, pageKey: string, brief: Brief, zone: string): string {
  const instant = brief.published.getTime();
  return urnUuid(namespace, 'brief', pageKey, formatCivilDate(civilDateAt(instant, zone)), wallTimeAt(instant, zone), cleanLine(brief.title).toLowerCase());
}
