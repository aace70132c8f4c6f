// A captured page -> feed entries: one for the lead story, one per brief. Pure.
import type { Capture, Entry, SiteConfig } from '../model.js';
import { formatCivilDate, resolveBriefDate } from './dates.js';
import { briefId, leadId } from '../shared/ids.js';
import { DEFAULT_BRIEFS_HEADINGS, parsePage, type ParsedBrief, type ParsedPage } from './page.js';
import { paragraphsToHtml } from '../shared/paragraphs.js';
import { cleanLine, truncateAtWord } from './text.js';
import { withoutFragment } from './urls.js';
import { paragraphsWithinLimit, summaryWithinLimit } from './entry-limits.js';

/** Titles are shown alone in a reader's list: long enough to say what happened, no longer. */
export const MAX_TITLE_LENGTH = 120;

/** Something true of a page that its reader should say, though every entry was read. */
export interface PageWarning {
  code: 'BRIEFS_SHARE_TIME_AND_TOPIC' | 'CAPTURE_IN_FUTURE' | 'PAGE_NOTHING_FOUND';
  reason: string;
}

/** `warn` hears what is worth saying about the page; normalizing stays pure, the caller logs. */
export function pageToEntries(capture: Capture, site: SiteConfig, warn?: (warning: PageWarning) => void): Entry[] {
  const page = parsePage(capture.body, {
    source: capture.source,
    briefsHeadings: capture.meta.briefsHeadings ?? DEFAULT_BRIEFS_HEADINGS,
    boilerplate: site.boilerplate,
    firstLine: capture.bodyFirstLine,
  });
  // Worked out once for the page, not once per entry: parsing its URL was a tenth of the cost.
  const shared: PageFacts = { pageUrl: capture.meta.url ? withoutFragment(capture.meta.url) : undefined, language: capture.meta.language ?? site.language };
  const entries = [leadEntry(page, capture, site, shared)];
  // Briefs are told apart by time and topic. Two that share both are two briefs when their texts
  // differ: the second gets an id of its own, numbered in page order; the same text twice is one.
  const byKey = new Map<string, { texts: string[]; lines: number[]; topic: string; time: string }>();
  for (const brief of page.briefs) {
    const text = brief.paragraphs.join('\n\n');
    const key = `${brief.time}\0${brief.topic.toLowerCase()}`;
    const same = byKey.get(key) ?? { texts: [], lines: [], topic: brief.topic, time: brief.time };
    byKey.set(key, same);
    if (same.texts.includes(text)) continue;
    same.texts.push(text);
    same.lines.push(brief.line);
    entries.push(briefEntry(brief, capture, site, shared, same.texts.length));
  }
  for (const { lines, topic, time } of byKey.values()) {
    if (lines.length < 2) continue;
    const where = `${lines.slice(0, -1).join(', ')} and ${lines.at(-1)}`;
    warn?.({ code: 'BRIEFS_SHARE_TIME_AND_TOPIC', reason: `${lines.length} briefs at ${time} on "${topic}" (lines ${where}): ${lines.length === 2 ? 'both' : 'all'} kept, as distinct entries` });
  }
  return entries;
}

/** What every entry of a page takes from the page. */
interface PageFacts {
  pageUrl: string | undefined;
  language: string | undefined;
}

function leadEntry(page: ParsedPage, capture: Capture, site: SiteConfig, { pageUrl, language }: PageFacts): Entry {
  const { meta } = capture;
  const id = leadId(site.idNamespace, pageUrl ?? `file:${capture.source}`);
  // The standfirst is the story's first paragraph too: readers that show only the content must not lose it.
  const body = paragraphsWithinLimit([page.standfirst, ...page.paragraphs]);
  return {
    id,
    kind: 'lead',
    source: capture.source,
    title: meta.title ? truncateAtWord(cleanLine(meta.title), MAX_TITLE_LENGTH) : truncateAtWord(page.standfirst, MAX_TITLE_LENGTH),
    summary: summaryWithinLimit(page.standfirst),
    contentText: body.join('\n\n'),
    contentHtml: paragraphsToHtml(body),
    ...(pageUrl ? { link: pageUrl } : {}),
    ...(pageUrl ? { pageUrl } : {}),
    categories: [],
    authors: meta.author ? [meta.author] : [],
    enclosures: [],
    ...(language ? { language } : {}),
    published: meta.published ?? capture.capturedAt,
    capturedAt: capture.capturedAt,
  };
}

/** `occurrence`: 1 for the first brief at its time and topic, 2 for a second with another text, and so on. */
function briefEntry(brief: ParsedBrief, capture: Capture, site: SiteConfig, { pageUrl, language }: PageFacts, occurrence: number): Entry {
  const { meta } = capture;
  const timeZone = meta.timezone ?? site.timezone;
  const { instant, day } = resolveBriefDate(capture.capturedAt.getTime(), brief.hour, brief.minute, timeZone);
  const id = briefId(site.idNamespace, formatCivilDate(day), brief.time, brief.topic, occurrence);
  const text = brief.paragraphs.join(' ');
  const body = paragraphsWithinLimit(brief.paragraphs);
  return {
    id,
    kind: 'brief',
    source: capture.source,
    title: truncateAtWord(`${brief.topic}: ${text}`, MAX_TITLE_LENGTH),
    summary: summaryWithinLimit(text),
    contentText: body.join('\n\n'),
    contentHtml: paragraphsToHtml(body),
    // A brief has no page of its own (no link), and its page's address (even with a fragment,
    // which readers strip) would make aggregators that de-duplicate by link merge it with the lead.
    ...(pageUrl ? { pageUrl } : {}),
    categories: [brief.topic],
    authors: [],
    enclosures: [],
    ...(language ? { language } : {}),
    published: new Date(instant),
    capturedAt: capture.capturedAt,
  };
}
