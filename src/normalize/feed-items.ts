// A parsed remote feed -> entries: ids, dates, links and sanitized content. Pure: the fetch time
// is passed in and stands for "first seen" where a feed gives no usable date.
import { createHash } from 'node:crypto';
import type { Entry, Person, RawFeed, RawItem, SiteConfig } from '../model.js';
import { urnUuid } from '../shared/ids.js';
import { htmlToText, sanitizeHtmlContent } from './sanitize.js';
import { parseSourceDate } from './source-dates.js';
import { escapeHtml } from '../shared/escape.js';
import { paragraphsToHtml } from '../shared/paragraphs.js';
import { cleanLine, truncateAtWord } from './text.js';
import { htmlWithinLimit, paragraphsWithinLimit, summaryWithinLimit } from './entry-limits.js';
import { resolveLink } from './urls.js';
import { optional } from '../optional.js';
import { MAX_TITLE_LENGTH } from './entries.js';

const DAY = 86_400_000;
const SUMMARY_LENGTH = 300;
const URI_ID = /^(https?|tag|urn):[^\s<>"{}|\\^`]+$/i;

export interface RemoteFeedContext {
  /** Source id, the name of its YAML file. */
  source: string;
  timezone?: string;
  language?: string;
  maxEntries?: number;
  site: SiteConfig;
  /** Where the document was fetched from, after redirects: the base of its relative links. */
  documentUrl: string;
  /** When it was fetched. */
  fetchedAt: Date;
}

export function feedToEntries(feed: RawFeed, context: RemoteFeedContext): Entry[] {
  const base = resolveLink(feed.link, context.documentUrl) ?? context.documentUrl;
  const items = context.maxEntries ? feed.items.slice(0, context.maxEntries) : feed.items;
  return items.map((item) => itemToEntry(item, feed, context, base));
}

function itemToEntry(item: RawItem, feed: RawFeed, context: RemoteFeedContext, feedBase: string): Entry {
  const link = resolveLink(item.link, context.documentUrl);
  const base = link ?? feedBase;
  // Sanitizing is the last thing done to HTML: links are resolved inside it.
  // Cut before sanitizing, so a 50 MB item is never parsed whole; what is cut is marked.
  const limited = item.contentHtml ? htmlWithinLimit(item.contentHtml) : undefined;
  const content = limited ? sanitizeHtmlContent(limited.html, base) : { html: '', text: '' };
  const contentHtml = limited?.cut ? `${content.html}\n<p>…</p>` : content.html;
  const contentText = item.contentText ? paragraphsWithinLimit(cleanParagraphs(item.contentText).split('\n\n')).join('\n\n') : content.text;
  // The summary is published as text only, so its links need no resolving.
  const summaryText = item.summaryHtml ? summaryWithinLimit(htmlToText(htmlWithinLimit(item.summaryHtml).html)) : '';
  const titleText = item.title ? cleanLine(item.titleIsText ? item.title : htmlToText(item.title)) : '';
  const fallbackText = contentText || summaryText || titleText || link || 'Untitled';
  const id = entryId(item, link, context, fallbackText);
  const published = entryDate(item.published ?? item.updated, context);
  const language = item.language ?? context.language ?? feed.language ?? context.site.language;
  return {
    id,
    kind: 'item',
    source: context.source,
    title: titleText ? truncateAtWord(titleText, MAX_TITLE_LENGTH) : openingText(fallbackText, MAX_TITLE_LENGTH),
    summary: summaryText ? cleanLine(summaryText) : openingText(fallbackText, SUMMARY_LENGTH),
    contentText: contentText || fallbackText,
    contentHtml: contentHtml || (contentText ? paragraphsToHtml(contentText.split('\n\n')) : `<p>${escapeHtml(cleanLine(fallbackText))}</p>`),
    ...optional('link', link),
    categories: unique(item.categories.map(cleanLine).filter(Boolean)),
    authors: item.authors.map((person) => cleanPerson(person, base)).filter((person): person is Person => person !== undefined),
    enclosures: item.enclosures.flatMap((enclosure) => {
      const url = resolveLink(enclosure.url, base);
      return url ? [{ ...enclosure, url }] : [];
    }),
    ...optional('image', resolveLink(item.image, base)),
    ...optional('language', language),
    published: new Date(published),
    capturedAt: context.fetchedAt,
  };
}

/** The source's own id when it is a URI, else one made from it, the link, or the content. */
function entryId(item: RawItem, link: string | undefined, context: RemoteFeedContext, text: string): string {
  const guid = item.guid?.trim();
  if (guid && URI_ID.test(guid)) {
    try {
      return new URL(guid).href;
    } catch {
      // Not parseable after all: fall through to a made id.
    }
  }
  if (guid) return urnUuid(context.site.idNamespace, 'item', context.source, guid);
  if (link) return link;
  const hash = createHash('sha256').update(`${item.title ?? ''}\n${text}`).digest('hex');
  return urnUuid(context.site.idNamespace, 'item', context.source, `sha256:${hash}`);
}

/** A missing date, or one more than a day ahead, is taken as the time the item was first seen. */
function entryDate(value: string | undefined, context: RemoteFeedContext): number {
  const fetched = context.fetchedAt.getTime();
  const instant = parseSourceDate(value, context.timezone ?? context.site.timezone);
  if (instant === undefined || instant > fetched + DAY) return fetched;
  return instant;
}

/** The start of a long text as one clean line of at most `max` characters. */
function openingText(text: string, max: number): string {
  // Cleaning never lengthens text, so twice `max` is plenty to clean and cut from. Paragraph
  // breaks become spaces first, so a text of clean paragraphs is a clean line as it stands.
  return truncateAtWord(cleanLine(text.slice(0, 2 * max).replaceAll('\n\n', ' ')), max);
}

function cleanPerson(person: Person, base: string): Person | undefined {
  const name = cleanLine(person.name);
  if (!name) return undefined;
  const url = resolveLink(person.url, base);
  return { name, ...(person.email ? { email: cleanLine(person.email) } : {}), ...(url ? { url } : {}) };
}

function cleanParagraphs(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map(cleanLine)
    .filter(Boolean)
    .join('\n\n');
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
