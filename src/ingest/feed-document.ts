// Fetched feed text -> RawFeed. A detector picks the format; RSS 0.9x/1.0/2.0 and Atom go
// through rss-parser after repairXml(), JSON Feed through parseJsonFeed(). Each format's raw
// shape is adapted to RawItem here; nothing is resolved or sanitized yet (normalize does that).
import Parser from 'rss-parser';
import { SourceError } from '../errors.js';
import type { Enclosure, FeedFormat, Person, RawFeed, RawItem } from '../model.js';
import { optional } from '../optional.js';
import { escapeText } from '../shared/escape.js';
import { looksLikeHtml } from './rss-title.js';
import { parseJsonFeed } from './json-feed-document.js';
import { repairXml } from './xml-repair.js';

type XmlValue = string | { _?: string; $?: Record<string, string>; [child: string]: unknown } | undefined;

interface ParsedItem {
  [key: string]: unknown;
  title?: XmlValue;
  link?: string;
  guid?: XmlValue;
  id?: string;
  content?: string;
  contentEncoded?: string;
  summary?: XmlValue;
  pubDate?: string;
  date?: string;
  published?: string;
  updated?: string;
  creator?: XmlValue;
  enclosures?: { $?: Record<string, string> }[];
  atomLinks?: { $?: Record<string, string> }[];
  atomCategories?: XmlValue[];
  authors?: unknown[];
  categories?: XmlValue[];
  mediaContent?: { $?: Record<string, string> }[];
  mediaThumbnail?: { $?: Record<string, string> }[];
  dcSubjects?: XmlValue[];
  atomTitles?: XmlValue[];
  atomSummaries?: XmlValue[];
  atomContents?: XmlValue[];
  language?: string;
}

// rss-parser turns every Atom <published>/<updated> into an ISO string with new Date(), and one
// invalid date throws and loses the whole feed; renamed, they arrive as raw text instead.
const ATOM_DATES = /<(\/?)(published|updated)(?=[\s>/])/g;

// xml2js loses the order of mixed content, so type="xhtml" text arrives scrambled; as escaped
// HTML it arrives whole.
const ATOM_XHTML = /<(title|summary|content)(\s[^>]*?)type\s*=\s*["']xhtml["']([^>]*)>\s*<div[^>]*>([\s\S]*?)<\/div>\s*<\/\1>/g;

function xhtmlAsHtml(xml: string): string {
  return xml.replace(ATOM_XHTML, (_match, tag: string, before: string, after: string, inner: string) =>
    `<${tag}${before}type="html"${after}>${escapeText(inner)}</${tag}>`,
  );
}

const parser = new Parser<Record<string, unknown>, ParsedItem>({
  customFields: {
    feed: [['feedloom-updated', 'updated'], 'language'] as never,
    item: [
      ['feedloom-published', 'published'],
      ['feedloom-updated', 'updated'],
      ['enclosure', 'enclosures', { keepArray: true }],
      ['link', 'atomLinks', { keepArray: true }],
      ['category', 'atomCategories', { keepArray: true }],
      ['author', 'authors', { keepArray: true }],
      ['content:encoded', 'contentEncoded'],
      ['media:content', 'mediaContent', { keepArray: true }],
      ['media:thumbnail', 'mediaThumbnail', { keepArray: true }],
      ['dc:subject', 'dcSubjects', { keepArray: true }],
      // Atom text constructs with their type attribute, which rss-parser drops.
      ['title', 'atomTitles', { keepArray: true }],
      ['summary', 'atomSummaries', { keepArray: true }],
      ['content', 'atomContents', { keepArray: true }],
    ] as never,
  },
});

export async function parseFeedDocument(text: string, source: string): Promise<RawFeed> {
  const trimmed = text.replace(/^\uFEFF/, '').trimStart();
  if (trimmed.startsWith('{')) return parseJsonFeed(trimmed, source);
  if (!trimmed.startsWith('<')) throw new SourceError('ingest', source, 'document is neither XML nor JSON');
  const xml = xhtmlAsHtml(repairXml(trimmed)).replace(ATOM_DATES, '<$1feedloom-$2');
  let parsed: Awaited<ReturnType<typeof parser.parseString>>;
  try {
    parsed = await parser.parseString(xml);
  } catch (error) {
    throw new SourceError('ingest', source, `feed is not readable XML: ${firstLine(error)}`, { cause: error });
  }
  const format = detectXmlFormat(xml);
  const feed = parsed as unknown as Record<string, unknown>;
  return {
    format,
    ...optional('title', textOf(feed.title as XmlValue)),
    ...optional('link', typeof feed.link === 'string' ? feed.link : undefined),
    ...optional('language', typeof feed.language === 'string' ? feed.language : undefined),
    items: (parsed.items ?? []).map((item) => (format === 'atom' ? adaptAtomItem(item) : adaptRssItem(item))),
    skipped: [],
  };
}

function detectXmlFormat(xml: string): FeedFormat {
  const root = /<(?!\?|!)([\w:.-]+)[\s>]/.exec(xml)?.[1] ?? '';
  if (root === 'feed' || root.endsWith(':feed')) return 'atom';
  if (root.endsWith('RDF')) return 'rss1';
  const version = /<rss[^>]*\sversion\s*=\s*["']([^"']+)/.exec(xml)?.[1] ?? '2.0';
  return version.startsWith('0.9') ? 'rss09' : 'rss2';
}

function adaptRssItem(item: ParsedItem): RawItem {
  const guid = textOf(item.guid) ?? (typeof item['rdf:about'] === 'string' ? (item['rdf:about'] as string) : undefined);
  return {
    ...optional('guid', guid),
    ...optional('link', typeof item.link === 'string' ? item.link.trim() : undefined),
    ...rssTitle(textOf(item.title)),
    ...optional('summaryHtml', item.contentEncoded ? item.content : undefined),
    ...optional('contentHtml', item.contentEncoded ?? item.content),
    authors: uniquePeople([textOf(item.creator)].filter(isText).map(personFromText)),
    // RSS 1.0 has no <category>; its feeds put the subject in dc:subject.
    categories: [...(item.categories ?? []), ...(item.dcSubjects ?? [])].map(textOf).filter(isText),
    ...optional('published', item.pubDate ?? item.date),
    enclosures: (item.enclosures ?? []).map((enclosure) => enclosureOf(enclosure.$)).filter(isDefined),
    ...optional('image', mediaImage(item)),
    ...optional('language', typeof item.language === 'string' ? item.language : undefined),
  };
}

function rssTitle(title: string | undefined): Pick<RawItem, 'title' | 'titleIsText'> {
  if (title === undefined) return {};
  return looksLikeHtml(title) ? { title } : { title, titleIsText: true };
}

function adaptAtomItem(item: ParsedItem): RawItem {
  const links = (item.atomLinks ?? []).map((link) => link.$ ?? {});
  const alternate = links.find((link) => (link.rel ?? 'alternate') === 'alternate')?.href;
  return {
    ...optional('guid', typeof item.id === 'string' ? item.id.trim() : undefined),
    ...optional('link', alternate ?? item.link),
    ...optional('title', atomTextAsHtml(item.atomTitles?.[0])),
    ...optional('summaryHtml', atomTextAsHtml(item.atomSummaries?.[0])),
    ...optional('contentHtml', atomTextAsHtml(item.atomContents?.[0])),
    authors: uniquePeople((item.authors ?? []).map(atomPerson).filter(isDefined)),
    categories: (item.atomCategories ?? []).map((category) => (typeof category === 'object' ? (category.$?.label ?? category.$?.term) : category)).filter(isText),
    ...optional('published', item.published ?? item.updated),
    ...optional('updated', item.updated),
    enclosures: links.filter((link) => link.rel === 'enclosure').map(enclosureOf).filter(isDefined),
    ...optional('image', mediaImage(item)),
  };
}

/**
 * An Atom text construct as HTML. Its type says what the characters are (RFC 4287 3.1): "html"
 * is markup, while "text" (the default) is plain text whose "<b>" is meant to be read as is,
 * so it is escaped. Content given by reference (src) has no text here.
 */
function atomTextAsHtml(value: XmlValue): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return escapeAsParagraphs(value);
  if (value.$?.src) return undefined;
  const type = (value.$?.type ?? 'text').toLowerCase();
  const text = typeof value._ === 'string' ? value._ : textOf(value);
  if (!text) return undefined;
  if (type === 'html' || type === 'text/html') return text;
  return type === 'text' || type.startsWith('text/') ? escapeAsParagraphs(text) : undefined;
}

function escapeAsParagraphs(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map((block) => block.trim())
    .filter(Boolean)
    .map((block) => `<p>${escapeText(block)}</p>`)
    .join('\n');
}

function atomPerson(author: unknown): Person | undefined {
  if (typeof author !== 'object' || author === null) return undefined;
  const fields = author as Record<string, unknown[]>;
  const name = textOf(fields.name?.[0] as XmlValue);
  if (!name) return undefined;
  const email = textOf(fields.email?.[0] as XmlValue);
  const url = textOf(fields.uri?.[0] as XmlValue);
  return { name, ...(email ? { email } : {}), ...(url ? { url } : {}) };
}

/** RSS authors are often "jane@example.org (Jane Doe)". */
function personFromText(text: string): Person {
  const match = /^\s*([^\s()]+@[^\s()]+)\s*\(([^)]+)\)\s*$/.exec(text);
  return match ? { name: match[2]!.trim(), email: match[1]! } : { name: text };
}

function enclosureOf(attributes: Record<string, string> | undefined): Enclosure | undefined {
  const url = attributes?.url ?? attributes?.href;
  if (!url) return undefined;
  const length = Number(attributes?.length);
  return { url, ...(attributes?.type ? { type: attributes.type } : {}), ...(Number.isFinite(length) && length > 0 ? { length } : {}) };
}

function mediaImage(item: ParsedItem): string | undefined {
  const thumbnail = item.mediaThumbnail?.[0]?.$?.url;
  if (thumbnail) return thumbnail;
  return item.mediaContent?.map((media) => media.$ ?? {}).find((media) => media.medium === 'image' || media.type?.startsWith('image/'))?.url;
}

/** Text of an XML value: a string, xml2js's { _: text }, or (Atom type="xhtml") nested elements. */
export function textOf(value: XmlValue | unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value.trim() || undefined;
  if (typeof value !== 'object') return String(value);
  const parts: string[] = [];
  const collect = (node: unknown) => {
    if (typeof node === 'string') parts.push(node);
    else if (Array.isArray(node)) node.forEach(collect);
    else if (node && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) if (key !== '$') collect(child);
    }
  };
  collect(value);
  return parts.join(' ').replace(/\s+/g, ' ').trim() || undefined;
}

function uniquePeople(people: Person[]): Person[] {
  const seen = new Set<string>();
  return people.filter((person) => !seen.has(person.name) && seen.add(person.name));
}


function isText(value: string | undefined): value is string {
  return typeof value === 'string' && value.length > 0;
}

function isDefined<T>(value: T | undefined): value is T {
  return value !== undefined;
}

function firstLine(error: unknown): string {
  return ((error as Error)?.message ?? String(error)).split('\n')[0]!;
}
