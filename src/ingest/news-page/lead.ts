// The lead story: the page's main article. Its headline (never its first paragraph), standfirst
// or description, body paragraphs, author and published time. A page that is only lists (a
// live-blog index, a news-feed page, a homepage) has none.
import type { CheerioAPI } from 'cheerio';
import { parseMachineTime } from '../../shared/machine-time.js';
import { withinFurniture } from './page-furniture.js';
import type { LeadReading } from '../../news-page-model.js';
import type { StructuredData } from './structured-data.js';
import { type AnyNode, type Element, textOf } from './text.js';

const BODY_MIN_CHARS = 400;
const PARAGRAPH_MIN_CHARS = 30;
const STANDFIRST = '[class*="standfirst"], [class*="chapo"], [class*="chapeau"], [class*="lede"], [class*="dek"], [class*="intro"], [class*="summary"], [class*="subtitle"], [class*="subheadline"], [itemprop="description"]';
const STANDFIRST_NAMES = ['standfirst', 'chapo', 'chapeau', 'lede', 'dek', 'intro', 'summary', 'subtitle', 'subheadline'];

/** What STANDFIRST selects, asked of one element without a selector query (a body has hundreds of paragraphs). */
function isStandfirst(element: Element): boolean {
  const className = element.attribs['class'];
  return (className !== undefined && STANDFIRST_NAMES.some((name) => className.includes(name))) || element.attribs['itemprop'] === 'description';
}
const BYLINE_PREFIX = /^(?:by|par|von|por|di|door|przez|автор:?|texte?:?|autor:?)\s+/i;

/** The lead, or undefined when the page has no main article. `briefContainers` are never its text. */
export function readLead($: CheerioAPI, data: StructuredData, briefContainers: ReadonlySet<AnyNode>): LeadReading | undefined {
  const paragraphs = bodyParagraphs($, briefContainers);
  const bodyChars = paragraphs.reduce((sum, paragraph) => sum + paragraph.length, 0);
  // Teasers on a homepage are <article>s too, but only a story's own page gives one an h1.
  const declared = data.article !== undefined || data.meta.get('og:type') === 'article' || $('article h1, [itemprop="articleBody"]').length > 0;
  if (!declared && bodyChars < BODY_MIN_CHARS) return undefined;
  const title = headline($, data);
  if (!title) return undefined;
  const summary = standfirst($, data, briefContainers);
  const lead: LeadReading = { title, paragraphs: paragraphs.filter((paragraph) => paragraph !== summary && paragraph !== title) };
  if (summary) lead.summary = summary;
  const author = authorOf($, data);
  if (author) lead.author = author;
  const published = data.article?.published ?? parseMachineTime(data.meta.get('article:published_time') ?? data.meta.get('datepublished')) ?? articleTime($, briefContainers);
  if (published) lead.published = published;
  return lead;
}

/** The visible h1 of the article, then JSON-LD's headline, then og:title without the site's name. */
function headline($: CheerioAPI, data: StructuredData): string | undefined {
  const inArticle = $('article h1, main h1, [itemprop="headline"], [role="main"] h1').first();
  if (inArticle.length > 0 && textOf(inArticle)) return textOf(inArticle);
  if (data.article?.headline) return data.article.headline;
  const og = data.meta.get('og:title');
  if (og) return withoutSiteName(og, data.meta.get('og:site_name'));
  const h1 = $('h1')
    .toArray()
    .find((element) => !withinFurniture(element, new Set()));
  if (h1) return textOf(h1) || undefined;
  const title = textOf($('title').first());
  return title ? withoutSiteName(title, data.meta.get('og:site_name')) : undefined;
}

function withoutSiteName(title: string, siteName: string | undefined): string {
  if (siteName && title.endsWith(siteName)) return title.slice(0, -siteName.length).replace(/\s*[|\-–—:·]\s*$/, '').trim();
  return title.replace(/\s+[|–—]\s+[^|–—]{2,40}$/, '').trim();
}

/** The body: the paragraphs of the one container holding most paragraph text outside furniture. */
function bodyParagraphs($: CheerioAPI, briefContainers: ReadonlySet<AnyNode>): string[] {
  const weight = new Map<AnyNode, number>();
  const candidates = $('p')
    .toArray()
    .filter((p) => !withinFurniture(p, briefContainers) && textOf(p).length >= PARAGRAPH_MIN_CHARS);
  for (const p of candidates) {
    const length = textOf(p).length;
    if (p.parent) weight.set(p.parent, (weight.get(p.parent) ?? 0) + length);
    if (p.parent?.parent) weight.set(p.parent.parent, (weight.get(p.parent.parent) ?? 0) + length / 2);
  }
  let best: AnyNode | undefined;
  for (const [node, value] of weight) if (!best || value > weight.get(best)!) best = node;
  if (!best) return [];
  return $(best)
    .find('p')
    .toArray()
    .filter((p) => !withinFurniture(p, briefContainers) && !isStandfirst(p))
    .map((p) => textOf(p))
    .filter(Boolean);
}

function standfirst($: CheerioAPI, data: StructuredData, briefContainers: ReadonlySet<AnyNode>): string | undefined {
  const shown = $(STANDFIRST)
    .toArray()
    .find((element) => !withinFurniture(element, briefContainers) && element.tagName !== 'meta' && textOf(element).length >= 20);
  if (shown) return textOf(shown);
  return data.article?.description ?? data.meta.get('og:description') ?? data.meta.get('description');
}

function authorOf($: CheerioAPI, data: StructuredData): string | undefined {
  if (data.article?.author) return data.article.author;
  const meta = data.meta.get('author') ?? data.meta.get('article:author');
  if (meta && !/^https?:/.test(meta)) return meta;
  const shown = $('[rel="author"], [itemprop="author"], .byline, .author, [class*="byline"], [class*="author-name"]').first();
  const text = shown.length > 0 ? textOf(shown).replace(BYLINE_PREFIX, '') : '';
  return text && text.length <= 80 ? text : undefined;
}

/** The first <time datetime> of the article outside the brief lists: its publication time. */
function articleTime($: CheerioAPI, briefContainers: ReadonlySet<AnyNode>): ReturnType<typeof parseMachineTime> {
  const time = $('article time[datetime], main time[datetime], time[itemprop="datePublished"], time[pubdate]')
    .toArray()
    .find((element: Element) => !insideAny(element, briefContainers));
  return time ? parseMachineTime($(time).attr('datetime')) : undefined;
}

function insideAny(node: AnyNode, containers: ReadonlySet<AnyNode>): boolean {
  for (let current: AnyNode | null = node; current; current = current.parent) if (containers.has(current)) return true;
  return false;
}
